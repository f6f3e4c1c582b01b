"""The certificate of participation (kursusbevis), on request.

From /my, for a course that has ended where the person was present at CERTIFICATE_MIN_SHARE
of the held dates (default 80 %), a tagged PDF in Danish or English: the name, the course, its
dates, its facilitators and a verification code. /certificates/<code> confirms it is genuine
and shows only the course, the period and the name's initials.

models.py    one row per issued certificate: the code, the initials, the period
services.py  who may have one (the threshold), issuing it, what it says, looking a code up
routes.py    POST /my/certificates/<enrollment_id> (the PDF), GET /certificates/<code>
"""
