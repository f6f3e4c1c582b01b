"""The demo catalogue: three organisations and their offerings, planned relative to `now`.

Only what is missing is added. Organisations, themes and offerings are found by slug, staff by
email and locations by name; an offering that already exists is left exactly as it is, with
its occurrences and enrollments. So a second run changes nothing, even on a later day.

Times are planned in Europe/Copenhagen local time and stored in UTC: a group that meets at
17:00 meets at 17:00 on both sides of a change of clocks, while its UTC hour moves.
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from app.emails import normalize_email
from app.extensions import db
from app.i18n import LOCAL_TZ, local_to_utc
from app.models import (
    Audience,
    Enrollment,
    EnrollmentStatus,
    EnrolmentMode,
    Facilitator,
    FacilitatorRole,
    Location,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingAudience,
    OfferingKind,
    OfferingStatus,
    Organisation,
    TalkStatus,
    Theme,
    User,
    UserRole,
)

COPENHAGEN = LOCAL_TZ
# Christmas and New Year: nobody meets, so a series skips to the week after (Easter, which
# moves, is not skipped).
CLOSED = {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)}
ROW_KINDS = ("organisations", "themes", "locations", "staff_accounts", "offerings",
             "occurrences", "enrollments")  # fmt: skip

MON, TUE, WED, THU, FRI = range(5)
CITIZEN, RELATIVE, STAFF, VOLUNTEER = Audience
COURSE, GROUP, MEETING = OfferingKind
PEER, PROFESSIONAL, VOLUNTEER_ROLE = FacilitatorRole
CONFIRMED, WAITLISTED, REQUESTED, CANCELLED = (
    EnrollmentStatus.CONFIRMED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.REQUESTED,
    EnrollmentStatus.CANCELLED,
)
INTERESTED = EnrollmentStatus.INTERESTED


@dataclass(frozen=True)
class Series:
    """The dated meetings of an offering, in local time."""

    weekday: int  # 0 = Monday
    start: str  # local "HH:MM"
    minutes: int
    count: int = 1
    from_day: int = 1  # the first meeting is the first `weekday` at least this many days ahead
    every_weeks: int = 1
    # "clock_change": begin in the week before the next change of clocks, to span it.
    anchor: str = "now"
    cancelled: tuple[int, ...] = ()  # 0-based numbers of meetings that are called off


# The data below is laid out by hand, so the formatter leaves it alone.
# fmt: off
ORGANISATIONS: list[dict[str, Any]] = [
    {"slug": "recovery-skolen", "name": "Recovery-skolen", "name_en": "The Recovery School",
     "website": "https://recovery-skolen.example.org", "email": "recovery-skolen@example.org",
     "phone": "+45 87 13 40 00"},
    {"slug": "frivilligcenter", "name": "Frivilligcenter Aarhus",
     "name_en": "Aarhus Volunteer Centre", "website": "https://frivilligcenter.example.org",
     "email": "kontakt@frivilligcenter.example.org", "phone": "+45 86 12 00 00"},
    {"slug": "sind-lokalafdeling", "name": "Foreningen Sind, lokalafdeling Aarhus",
     "name_en": "The Sind Association, Aarhus branch", "website": "https://sind.example.org",
     "email": "aarhus@sind.example.org"},
]

THEMES = [
    ("angst", "Angst", "Anxiety"), ("depression", "Depression", "Depression"),
    ("paaroerende", "Pårørende", "Relatives"), ("soevn", "Søvn", "Sleep"),
    ("haab-og-recovery", "Håb og recovery", "Hope and recovery"),
    ("ensomhed", "Ensomhed", "Loneliness"), ("stress", "Stress", "Stress"),
    ("mindfulness", "Mindfulness", "Mindfulness"),
    ("uddannelse-og-job", "Uddannelse og job", "Education and work"),
    ("faellesskab", "Fællesskab", "Community"),
    ("krop-og-bevaegelse", "Krop og bevægelse", "Body and movement"),
    ("kreativitet", "Kreativitet", "Creativity"),
]

_AARHUS = {"postcode": "8000", "city": "Aarhus C"}
LOCATIONS: list[dict[str, Any]] = [
    {"name": "Recovery-skolen, Store sal", "address": "Vestergade 12", **_AARHUS,
     "room": "stueetagen",
     "step_free": True, "accessible_toilet": True, "hearing_loop": True,
     "accessibility_notes": "Niveaufri indgang fra gården. Handicaptoilet ved siden af salen.",
     "accessibility_notes_en": "Step-free entrance from the courtyard. Accessible toilet next "
                               "to the hall.",
     "directions": "Gå ind ad porten i Vestergade 12 og følg skiltene over gården.",
     "directions_en": "Go through the gate at Vestergade 12 and follow the signs across the "
                      "courtyard."},
    {"name": "Recovery-skolen, Værkstedet", "address": "Vestergade 12", **_AARHUS,
     "room": "1. sal",
     "accessibility_notes": "1. sal uden elevator. Sig til, hvis trapper er svære for dig, så "
                            "flytter vi holdet ned i Store sal.",
     "accessibility_notes_en": "First floor, no lift. Tell us if stairs are hard for you and "
                               "we will move the group to the ground floor."},
    {"name": "Frivilligcenter Aarhus, Caféen", "address": "Mejlgade 28", **_AARHUS,
     "room": "stueetagen", "step_free": True, "accessible_toilet": True,
     "accessibility_notes": "Der kan være lidt larm i caféen. Der er et stille rum ved siden "
                            "af, hvis du har brug for en pause.",
     "accessibility_notes_en": "The café can be a little noisy. There is a quiet room next "
                               "door if you need a break."},
    {"name": "Frivilligcenter Aarhus, Mødelokale 2", "address": "Mejlgade 28", **_AARHUS,
     "room": "2. sal",
     "step_free": True, "accessible_toilet": True, "hearing_loop": True,
     "accessibility_notes": "Elevator til 2. sal.",
     "accessibility_notes_en": "Lift to the second floor."},
    {"name": "Sind-huset", "address": "Frederiks Allé 50", **_AARHUS, "room": "Mødesalen",
     "hearing_loop": True,
     "accessibility_notes": "Tre trin op til indgangen. Ring på, så lægger vi en rampe ud.",
     "accessibility_notes_en": "Three steps up to the entrance. Ring the bell and we will put "
                               "out a ramp."},
    {"name": "Botanisk Have, hovedindgangen", "address": "Peter Holms Vej", **_AARHUS,
     "step_free": True,
     "accessibility_notes": "Vi mødes ved hovedindgangen. Ruten er ca. 3 km på grusstier med "
                            "bænke undervejs.",
     "accessibility_notes_en": "We meet at the main entrance. The route is about 3 km on "
                               "gravel paths, with benches along the way."},
    {"name": "Dokk1, Lille sal", "address": "Hack Kampmanns Plads 2", **_AARHUS,
     "room": "niveau 1",
     "step_free": True, "accessible_toilet": True, "hearing_loop": True,
     "directions": "Letbanen stopper ved Dokk1."},
]

# Staff accounts for the demo; they get no password (an admin sets one, or they never log in).
STAFF_ACCOUNTS = [
    ("mette.lund@example.org", "Mette Lund", UserRole.PEER_WORKER, "recovery-skolen"),
    ("jonas.brandt@example.org", "Jonas Brandt", UserRole.PEER_WORKER, "recovery-skolen"),
    ("sofie.kjaer@example.org", "Sofie Kjær", UserRole.COORDINATOR, "recovery-skolen"),
    ("henrik.mortensen@example.org", "Henrik Mortensen", UserRole.COORDINATOR, "recovery-skolen"),
    ("lise.dam@example.org", "Lise Dam", UserRole.VOLUNTEER_STAFF, "frivilligcenter"),
    ("ahmad.rahimi@example.org", "Ahmad Rahimi", UserRole.VOLUNTEER_STAFF, "frivilligcenter"),
    ("karen.holm@example.org", "Karen Holm", UserRole.COORDINATOR, "sind-lokalafdeling"),
    # A volunteer group leader (frivillig tovholder): only the anxiety group she co-leads.
    ("camilla.friis@example.org", "Camilla Friis", UserRole.VOLUNTEER_LEADER, "frivilligcenter"),
]
METTE, JONAS, SOFIE, HENRIK, LISE, AHMAD, KAREN, CAMILLA = (
    email for email, *_ in STAFF_ACCOUNTS
)

# Made-up participants; each offering's enrollments take them in turn.
PEOPLE = [
    "Anne Sørensen", "Mikkel Jensen", "Fatima Ali", "Lars Kristiansen", "Camilla Holm",
    "Søren Madsen", "Ida Christensen", "Peter Larsen", "Maja Andersen", "Rasmus Pedersen",
    "Zainab Hussein", "Bente Møller", "Kasper Olsen", "Louise Thomsen", "Jens Poulsen",
    "Sara Johansen", "Ali Yilmaz", "Hanne Rasmussen", "Thomas Frederiksen", "Emma Lund",
    "Niels Bertelsen", "Julie Mogensen", "Frederik Kjærgaard", "Karin Åberg",
]

# Appended to each description (Danish, English): what people ask about first.
PRACTICAL = {
    COURSE: ("\n\n## Praktisk\n\n- Kurset er gratis, og du skal ikke henvises.\n"
             "- Vi spørger aldrig om diagnoser.\n"
             "- Du kan få følgeskab: en peermedarbejder møder dig ved døren første gang.",
             "\n\n## Practical\n\n- The course is free and needs no referral.\n"
             "- We never ask about diagnoses.\n"
             "- A peer worker can meet you at the door the first time, if you like."),
    GROUP: ("\n\n## Praktisk\n\n- Gruppen er gratis.\n"
            "- Det, der bliver sagt i gruppen, bliver i gruppen.\n"
            "- Du bestemmer selv, hvor meget du vil fortælle.",
            "\n\n## Practical\n\n- The group is free.\n"
            "- What is said in the group stays in the group.\n"
            "- You decide how much you want to share."),
    MEETING: ("\n\n## Praktisk\n\n- Temamødet er gratis.\n- Der er kaffe, te og frugt.",
              "\n\n## Practical\n\n- The meeting is free.\n- Coffee, tea and fruit are served."),
}

# One dict per offering: model columns by name, plus how to link and plan it ("org",
# "co_organisers", "themes", "audiences", "facilitators" as (staff email or guest name, role),
# "location", "series", "seats" by enrollment status, sign-up window relative to the dates).
OFFERINGS: list[dict[str, Any]] = [
    {"slug": "introduktion-til-recovery", "kind": COURSE, "org": "recovery-skolen",
     "co_organisers": ["frivilligcenter"],
     "title": "Introduktion til recovery", "title_en": "An introduction to recovery",
     "summary": "Seks formiddage om, hvad recovery er, og hvordan du kan tage små skridt mod "
                "et liv, der giver mening for dig.",
     "summary_en": "Six mornings about what recovery is and how you can take small steps "
                   "towards a life that makes sense to you.",
     "description": "Recovery handler om at leve et godt liv – med eller uden symptomer. Vi "
                    "deler erfaringer, taler om håb og ser på, hvad der hjælper i hverdagen.\n\n"
                    "Kurset undervises af en peermedarbejder med egne erfaringer og en "
                    "fagperson. Vi veksler mellem korte oplæg, samtaler og øvelser.",
     "description_en": "Recovery is about living a good life – with or without symptoms. We "
                       "share experiences, talk about hope and look at what helps day to "
                       "day.\n\nThe course is taught by a peer worker with lived experience "
                       "and a professional. We mix short talks, conversations and exercises.",
     "themes": ["haab-og-recovery", "faellesskab"], "audiences": [CITIZEN, RELATIVE, VOLUNTEER],
     "facilitators": [(METTE, PEER), (SOFIE, PROFESSIONAL)],
     "location": "Recovery-skolen, Store sal", "capacity": 14,
     "series": Series(WED, "10:00", 150, count=6, from_day=8), "closes_days_before": 3,
     "seats": {CONFIRMED: 5}},
    {"slug": "angst-i-hverdagen", "kind": COURSE, "org": "recovery-skolen",
     "title": "Angst i hverdagen – forstå og håndtér den",
     "title_en": "Anxiety in everyday life – understanding and handling it",
     "summary": "Fem eftermiddage om, hvad angst er, hvad der holder den i gang, og hvilke små "
                "skridt der kan give mere frihed.",
     "summary_en": "Five afternoons about what anxiety is, what keeps it going and which small "
                   "steps can give you more freedom.",
     "description": "Angst er en naturlig reaktion, men den kan fylde så meget, at den styrer "
                    "hverdagen. Vi bruger blandt andet:\n\n- korte oplæg om angst og krop\n"
                    "- åndedrætsøvelser\n- samtaler to og to, hvis du har lyst",
     "description_en": "Anxiety is a natural reaction, but it can take up so much room that "
                       "it runs your days. Among other things we use:\n\n- short talks about "
                       "anxiety and the body\n- breathing exercises\n- conversations in "
                       "pairs, if you like",
     "themes": ["angst", "stress"], "audiences": [CITIZEN],
     "facilitators": [(JONAS, PEER), (HENRIK, PROFESSIONAL)],
     "location": "Recovery-skolen, Værkstedet", "capacity": 8,
     "series": Series(THU, "13:00", 150, count=5, from_day=10), "closes_days_before": 2,
     "seats": {CONFIRMED: 8, WAITLISTED: 3},  # full, with a waiting list
     "accessibility_notes": "Der er pause hvert 45. minut, og du må altid gå ud.",
     "accessibility_notes_en": "There is a break every 45 minutes, and you may always step out."},
    {"slug": "paaroerende-pas-paa-dig-selv", "kind": COURSE, "org": "recovery-skolen",
     "co_organisers": ["sind-lokalafdeling"],
     "title": "Pårørende: at passe på sig selv, mens man passer på andre",
     "title_en": "For relatives: looking after yourself while looking after others",
     "summary": "Et aftenkursus kun for pårørende til mennesker med psykisk sårbarhed – om "
                "grænser, skyld, håb og en hverdag, der hænger sammen.",
     "summary_en": "An evening course only for relatives of people with mental health "
                   "problems – about boundaries, guilt, hope and everyday life.",
     "description": "Når en, du holder af, har det svært, kan dit eget liv gå i stå. Her møder "
                    "du andre pårørende og får viden om psykisk sårbarhed og recovery.\n\n"
                    "Du behøver ikke fortælle, hvem du er pårørende til.",
     "description_en": "When someone you care about is struggling, your own life can come to "
                       "a halt. Here you meet other relatives and learn about mental health "
                       "and recovery.\n\nYou need not tell us whose relative you are.",
     "themes": ["paaroerende", "haab-og-recovery"], "audiences": [RELATIVE],
     "facilitators": [(JONAS, PEER), (SOFIE, PROFESSIONAL)],
     "location": "Recovery-skolen, Store sal", "capacity": 16,
     "series": Series(TUE, "18:00", 150, count=4, from_day=12), "closes_days_before": 4,
     "seats": {CONFIRMED: 4}},
    {"slug": "soevn-og-doegnrytme", "kind": COURSE, "org": "recovery-skolen",
     "title": "Søvn og døgnrytme – når tiden skifter",
     "title_en": "Sleep and daily rhythm – when the clocks change",
     "summary": "Fire tirsdage om søvn, lys og faste rytmer, lagt omkring skiftet mellem "
                "sommertid og vintertid.",
     "summary_en": "Four Tuesdays about sleep, light and steady routines, planned around the "
                   "change between summer and winter time.",
     "description": "Tidsskiftet kan slå rytmen ud for en tid. Vi taler om, hvad der påvirker "
                    "søvnen, og hvad du selv kan prøve.\n\nTo gange ligger før tidsskiftet og "
                    "to efter, så vi kan følge, hvordan det går.",
     "description_en": "The change of clocks can upset your rhythm for a while. We talk about "
                       "what affects sleep and what you can try.\n\nTwo meetings are before "
                       "the change and two after, so we can follow how it goes.",
     "themes": ["soevn", "stress"], "audiences": [CITIZEN, RELATIVE],
     "facilitators": [(METTE, PEER), (HENRIK, PROFESSIONAL)],
     "location": "Recovery-skolen, Store sal", "capacity": 12,
     "series": Series(TUE, "10:00", 120, count=4, anchor="clock_change"),
     "closes_days_before": 3, "seats": {CONFIRMED: 3}},
    {"slug": "stress-og-hverdag-online", "kind": COURSE, "org": "recovery-skolen",
     "title": "Stress og hverdag – online", "title_en": "Stress and everyday life – online",
     "summary": "Et kort onlinekursus om stress, hvile og grænser. Du deltager hjemmefra på "
                "computer eller telefon.",
     "summary_en": "A short online course about stress, rest and boundaries. You take part "
                   "from home on a computer or phone.",
     "description": "Kurset foregår over video, og du må gerne have kameraet slukket.\n\n"
                    "Linket til mødet får du, når din plads er bekræftet.",
     "description_en": "The course runs over video, and you may keep your camera off.\n\n"
                       "You get the meeting link once your seat is confirmed.",
     "themes": ["stress", "mindfulness"], "audiences": [CITIZEN, RELATIVE],
     "facilitators": [(JONAS, PEER), (SOFIE, PROFESSIONAL)],
     "is_online": True,
     "online_join_url": "https://meet.example.org/recovery-skolen/stress-og-hverdag-7f3k",
     "capacity": 20, "series": Series(WED, "19:00", 90, count=4, from_day=6),
     "seats": {CONFIRMED: 6}},
    {"slug": "finding-your-way", "kind": COURSE, "org": "recovery-skolen",
     "teaching_language": "en",
     "title": "Recovery: find din vej (undervisning på engelsk)",
     "title_en": "Recovery: finding your way (taught in English)",
     "summary": "Et recoverykursus på engelsk for dig, der bor i Danmark og hellere vil tale "
                "engelsk end dansk.",
     "summary_en": "A recovery course in English for people living in Denmark who would "
                   "rather speak English than Danish.",
     "description": "Samme indhold som vores introduktion til recovery, men på engelsk.",
     "description_en": "Being far from home can make hard times harder. This course covers "
                       "the same ground as our introduction to recovery, taught in English.",
     "themes": ["haab-og-recovery", "ensomhed"], "audiences": [CITIZEN, RELATIVE],
     "facilitators": [(JONAS, PEER), ("Rachel Moore, psykolog", PROFESSIONAL)],
     "location": "Recovery-skolen, Store sal", "capacity": 12,
     "series": Series(FRI, "10:00", 120, count=4, from_day=21),
     "opens_in_days": 2, "closes_days_before": 5},
    {"slug": "droemme-om-uddannelse-og-job", "kind": COURSE, "org": "recovery-skolen",
     "co_organisers": ["frivilligcenter"],
     "title": "Drømme om uddannelse og job", "title_en": "Dreams of education and work",
     "summary": "Fem gange om at finde retning: hvad drømmer du om, hvad står i vejen, og hvem "
                "kan hjælpe med næste skridt?",
     "summary_en": "Five sessions on finding a direction: what do you dream of, what is in "
                   "the way, and who can help with the next step?",
     "description": "Vi tager udgangspunkt i dine drømme – store som små – og i andres "
                    "erfaringer med at vende tilbage til skole eller arbejde.\n\n"
                    "Frivilligcenteret fortæller om frivilligt arbejde som et trin på vejen.",
     "description_en": "We start from your dreams – big and small – and from others' "
                       "experience of going back to school or work.\n\nThe volunteer centre "
                       "talks about volunteering as a step on the way.",
     "themes": ["uddannelse-og-job", "haab-og-recovery"], "audiences": [CITIZEN],
     "facilitators": [(METTE, PEER), (SOFIE, PROFESSIONAL)],
     "location": "Recovery-skolen, Værkstedet", "capacity": 12,
     "series": Series(TUE, "10:00", 150, count=5, from_day=3, cancelled=(1,)),
     "cancel_note": "Aflyst på grund af sygdom. Vi ses igen ugen efter.",
     "seats": {CONFIRMED: 7}},
    {"slug": "skriv-dig-frem", "kind": COURSE, "org": "recovery-skolen",
     "status": OfferingStatus.DRAFT,
     "title": "Skriv dig frem – kreativ skrivning",
     "summary": "Kladde: et kursus om at skrive om sit eget liv. Undervisere og datoer er ikke "
                "på plads endnu.",
     "description": "Beskrivelsen kommer.",
     "themes": ["kreativitet"], "audiences": [CITIZEN], "facilitators": [(METTE, PEER)],
     "location": "Recovery-skolen, Værkstedet", "capacity": 10,
     "series": Series(THU, "10:00", 120, count=4, from_day=45)},
    {"slug": "mindfulness-i-hverdagen", "kind": COURSE, "org": "recovery-skolen",
     "status": OfferingStatus.CANCELLED,
     "cancellation_reason": "Underviseren er blevet syg, og vi har ikke kunnet finde en "
                            "afløser. Kurset udbydes igen næste semester.",
     "title": "Mindfulness i hverdagen", "title_en": "Mindfulness in everyday life",
     "summary": "Fire eftermiddage med enkle øvelser i nærvær, som du kan bruge derhjemme.",
     "summary_en": "Four afternoons of simple mindfulness exercises you can use at home.",
     "description": "Vi øver os i at være til stede – uden krav om at gøre det rigtigt.",
     "description_en": "We practise being present – with no demand to get it right.",
     "themes": ["mindfulness", "stress"], "audiences": [CITIZEN, RELATIVE],
     "facilitators": [(JONAS, PEER), (HENRIK, PROFESSIONAL)],
     "location": "Recovery-skolen, Store sal", "capacity": 12,
     "series": Series(WED, "13:00", 120, count=4, from_day=15)},
    {"slug": "recovery-orienteret-praksis", "kind": MEETING, "org": "recovery-skolen",
     "title": "Temamøde for medarbejdere: recovery-orienteret praksis",
     "title_en": "Themed meeting for staff: recovery-oriented practice",
     "summary": "En eftermiddag for kommunens medarbejdere om, hvordan recovery og peerstøtte "
                "kan bruges i det daglige arbejde.",
     "summary_en": "An afternoon for municipal staff about using recovery and peer support in "
                   "everyday work.",
     "description": "Hvad betyder det at arbejde recovery-orienteret, når kalenderen er fuld? "
                    "En peermedarbejder og en overlæge giver hvert sit blik på sagen.",
     "description_en": "What does recovery-oriented work mean when the diary is full? A peer "
                       "worker and a consultant psychiatrist each give their view.",
     "themes": ["haab-og-recovery"], "audiences": [STAFF],
     "facilitators": [(SOFIE, PROFESSIONAL), (METTE, PEER),
                      ("Anders Vinther, overlæge", PROFESSIONAL)],
     "location": "Recovery-skolen, Store sal", "capacity": 40,
     "series": Series(THU, "13:00", 150, from_day=20), "closes_days_before": 5,
     "seats": {CONFIRMED: 9}},
    {"slug": "temaaften-haab-og-recovery", "kind": MEETING, "org": "recovery-skolen",
     "co_organisers": ["frivilligcenter", "sind-lokalafdeling"],
     "title": "Temaaften: Håb og recovery – fortællinger fra eget liv",
     "title_en": "Theme evening: hope and recovery – stories from lived experience",
     "summary": "To peermedarbejdere fortæller om vejen tilbage til et liv, de trives med. For "
                "borgere, pårørende, frivillige og medarbejdere.",
     "summary_en": "Two peer workers tell of their way back to a life they thrive in. For "
                   "citizens, relatives, volunteers and staff.",
     "description": "Håb smitter. Aftenen bygger på personlige fortællinger og en samtale med "
                    "salen, hvor alle spørgsmål er velkomne.",
     "description_en": "Hope is contagious. The evening builds on personal stories and a "
                       "conversation with the audience, where every question is welcome.",
     "themes": ["haab-og-recovery", "faellesskab"],
     "audiences": [CITIZEN, RELATIVE, STAFF, VOLUNTEER],
     "facilitators": [(METTE, PEER), (JONAS, PEER), (HENRIK, PROFESSIONAL)],
     "location": "Dokk1, Lille sal", "capacity": 60,
     "series": Series(TUE, "19:00", 120, from_day=27), "seats": {CONFIRMED: 12}},
    {"slug": "aaben-cafe", "kind": GROUP, "org": "frivilligcenter",
     "title": "Åben café – kom som du er", "title_en": "Open café – come as you are",
     "summary": "Hver torsdag eftermiddag: kaffe, kage og godt selskab. Du skal ikke tilmelde "
                "dig – kig bare forbi.",
     "summary_en": "Every Thursday afternoon: coffee, cake and good company. No sign-up – "
                   "just drop by.",
     "description": "Caféen er et sted at være sammen med andre uden krav. Nogle spiller spil, "
                    "andre snakker eller sidder bare med en kop kaffe.",
     "description_en": "The café is a place to be with others, with nothing expected of you. "
                       "Some play games, others talk or just sit with a coffee.",
     "themes": ["ensomhed", "faellesskab"], "audiences": [CITIZEN, RELATIVE, VOLUNTEER],
     "facilitators": [("Birgit Hansen", VOLUNTEER_ROLE), ("Ole Kristensen", VOLUNTEER_ROLE),
                      (LISE, PROFESSIONAL)],
     "location": "Frivilligcenter Aarhus, Caféen",
     "capacity": None, "enrolment_mode": EnrolmentMode.DROP_IN,
     "series": Series(THU, "14:00", 120, count=13)},
    {"slug": "selvhjaelpsgruppe-angst", "kind": GROUP, "org": "frivilligcenter",
     "title": "Selvhjælpsgruppe om angst", "title_en": "Self-help group on anxiety",
     "summary": "En lille gruppe, der mødes hver tirsdag og deler erfaringer med at leve med "
                "angst. Vi starter med en kort, uforpligtende snak.",
     "summary_en": "A small group that meets every Tuesday to share experience of living "
                   "with anxiety. We start with a short, informal chat.",
     "description": "Før du starter, tager en af tovholderne en kort snak med dig – i telefonen "
                    "eller over en kop kaffe.\n\nGruppen går i gang, når 6–8 deltagere er klar.",
     "description_en": "Before you start, one of the leaders has a short chat with you – on "
                       "the phone or over coffee.\n\nThe group starts once 6–8 people are "
                       "ready.",
     "themes": ["angst", "faellesskab"], "audiences": [CITIZEN],
     "facilitators": [(AHMAD, PROFESSIONAL), (CAMILLA, VOLUNTEER_ROLE)],
     "location": "Frivilligcenter Aarhus, Mødelokale 2",
     "capacity": 8, "enrolment_mode": EnrolmentMode.REQUEST,
     "series": Series(TUE, "17:00", 120, count=12), "seats": {CONFIRMED: 2, REQUESTED: 3}},
    # Interest mode (issue 14): no dates yet; it starts when six have had their first talk.
    {"slug": "soevn-og-uro-gruppe", "kind": GROUP, "org": "frivilligcenter",
     "title": "Søvn og uro – en ny selvhjælpsgruppe",
     "title_en": "Sleep and restlessness – a new self-help group",
     "summary": "Borgere har efterspurgt en gruppe om søvnløse nætter. Skriv dig på "
                "interesselisten; gruppen starter, når nok er klar.",
     "summary_en": "Citizens have asked for a group about sleepless nights. Put yourself on "
                   "the interest list; the group starts when enough people are ready.",
     "description": "Når du har skrevet dig på listen, ringer en fra frivilligcentret og tager "
                    "en kort første snak med dig. Når seks er klar, finder vi dagene sammen.",
     "description_en": "Once you are on the list, someone from the volunteer centre calls you "
                       "for a short first talk. When six are ready, we find the days together.",
     "themes": ["faellesskab"], "audiences": [CITIZEN, RELATIVE],
     "facilitators": [("Tina Vestergaard", VOLUNTEER_ROLE)],
     "location": "Frivilligcenter Aarhus, Mødelokale 2",
     "capacity": 8, "enrolment_mode": EnrolmentMode.INTEREST, "min_participants": 6,
     "series": None, "seats": {INTERESTED: 4}, "talks_held": 2},
    {"slug": "gaa-gruppen", "kind": GROUP, "org": "frivilligcenter",
     "title": "Gå-gruppen – gåtur og snak", "title_en": "The walking group – a walk and a talk",
     "summary": "Hver mandag formiddag går vi en tur i Botanisk Have i roligt tempo og slutter "
                "med en kop kaffe.",
     "summary_en": "Every Monday morning we take an unhurried walk in the Botanical Garden "
                   "and finish with a cup of coffee.",
     "description": "Det er lettere at tale sammen, når man går side om side. Vi går i al "
                    "slags vejr, så tag tøj på efter det.",
     "description_en": "Talking is easier side by side. We walk in all weathers, so dress "
                       "for it.",
     "themes": ["krop-og-bevaegelse", "ensomhed"], "audiences": [CITIZEN, RELATIVE, VOLUNTEER],
     "facilitators": [("Ole Kristensen", VOLUNTEER_ROLE), (LISE, PROFESSIONAL)],
     "location": "Botanisk Have, hovedindgangen", "capacity": 12,
     "series": Series(MON, "10:00", 90, count=10), "seats": {CONFIRMED: 4, CANCELLED: 1}},
    {"slug": "samtalegruppe-depression", "kind": GROUP, "org": "frivilligcenter",
     "co_organisers": ["recovery-skolen"],
     "title": "Samtalegruppe om depression", "title_en": "Conversation group on depression",
     "summary": "En fast gruppe, der mødes onsdag eftermiddag og taler om at leve med – og "
                "komme videre efter – depression.",
     "summary_en": "A steady group that meets on Wednesday afternoons to talk about living "
                   "with – and moving on from – depression.",
     "description": "Gruppen ledes af en frivillig med egne erfaringer sammen med en "
                    "peermedarbejder fra Recovery-skolen.",
     "themes": ["depression", "faellesskab"], "audiences": [CITIZEN],
     "facilitators": [("Thomas Bech", VOLUNTEER_ROLE), (JONAS, PEER)],
     "location": "Frivilligcenter Aarhus, Mødelokale 2", "capacity": 10,
     "series": Series(WED, "16:30", 90, count=8, from_day=2), "seats": {CONFIRMED: 6}},
    {"slug": "velkommen-som-frivillig", "kind": MEETING, "org": "frivilligcenter",
     "title": "Velkommen som frivillig – introduktionsmøde",
     "title_en": "Welcome as a volunteer – introduction meeting",
     "summary": "For nye frivillige: hvad vil det sige at være tovholder i en "
                "selvhjælpsgruppe, og hvilken støtte får du?",
     "summary_en": "For new volunteers: what does it mean to co-lead a self-help group, and "
                   "what support do you get?",
     "description": "Vi fortæller om tavshedspligt, supervision og grupperne, og du møder "
                    "nogle af de erfarne frivillige.",
     "description_en": "We cover confidentiality, supervision and the groups, and you meet "
                       "some of the experienced volunteers.",
     "themes": ["faellesskab"], "audiences": [VOLUNTEER],
     "facilitators": [(LISE, PROFESSIONAL), ("Birgit Hansen", VOLUNTEER_ROLE)],
     "location": "Frivilligcenter Aarhus, Caféen", "capacity": 25,
     "series": Series(WED, "17:00", 120, from_day=9), "seats": {CONFIRMED: 5}},
    {"slug": "paaroerendegruppe", "kind": GROUP, "org": "sind-lokalafdeling",
     "title": "Pårørendegruppe – for dig, der står tæt på",
     "title_en": "Relatives' group – for those who stand close",
     "summary": "Hver anden tirsdag aften mødes pårørende og deler erfaringer, bekymringer og "
                "det, der giver håb.",
     "summary_en": "Every other Tuesday evening relatives meet to share experience, worries "
                   "and what gives hope.",
     "description": "Gruppen ledes af en frivillig, som selv er pårørende, og en medarbejder "
                    "fra foreningen.",
     "description_en": "The group is led by a volunteer who is a relative herself and a "
                       "member of the association's staff.",
     "themes": ["paaroerende"], "audiences": [RELATIVE],
     "facilitators": [("Inge Sørensen", VOLUNTEER_ROLE), (KAREN, PROFESSIONAL)],
     "location": "Sind-huset", "capacity": 10,
     "series": Series(TUE, "19:00", 120, count=6, every_weeks=2, from_day=4),
     "seats": {CONFIRMED: 3}},
    {"slug": "temaaften-ensomhed", "kind": MEETING, "org": "sind-lokalafdeling",
     "co_organisers": ["frivilligcenter"],
     "title": "Temaaften: Ensomhed – og veje ud af den",
     "title_en": "Theme evening: loneliness – and ways out of it",
     "summary": "Hvad gør ensomhed ved os, og hvad kan hjælpe? En aften med oplæg, "
                "fortællinger og bud på fællesskaber i byen.",
     "summary_en": "What does loneliness do to us, and what can help? An evening of talks, "
                   "stories and ideas for communities in town.",
     "description": "Ensomhed er mere udbredt, end mange tror, og svær at tale om. En peer "
                    "fortæller om egne erfaringer, og frivilligcenteret viser vej til "
                    "fællesskaber, hvor man kan starte i det små.",
     "description_en": "Loneliness is more common than many think, and hard to talk about. A "
                       "peer shares lived experience, and the volunteer centre points the way "
                       "to communities where you can start small.",
     "themes": ["ensomhed", "faellesskab"], "audiences": [CITIZEN, RELATIVE, STAFF, VOLUNTEER],
     "facilitators": [("Morten Lauridsen", PEER), (KAREN, PROFESSIONAL)],
     "location": "Sind-huset", "capacity": 50,
     "series": Series(THU, "19:00", 120, from_day=34), "seats": {CONFIRMED: 8}},
]
# fmt: on

_OFFERING_COLUMNS = frozenset(Offering.__table__.columns.keys())


def seed_demo_catalogue(now: datetime) -> dict[str, dict[str, int]]:
    """Add whatever of the demo catalogue is missing; flush, never commit.

    Returns how many rows of each kind were created and how many were already present.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    summary = {"created": dict.fromkeys(ROW_KINDS, 0), "present": dict.fromkeys(ROW_KINDS, 0)}

    organisations = {
        spec["slug"]: _get_or_create(Organisation, "slug", spec, summary, "organisations")
        for spec in ORGANISATIONS
    }
    themes = {
        slug: _get_or_create(
            Theme, "slug", {"slug": slug, "name": name, "name_en": name_en}, summary, "themes"
        )
        for slug, name, name_en in THEMES
    }
    locations = {
        spec["name"]: _get_or_create(Location, "name", spec, summary, "locations")
        for spec in LOCATIONS
    }
    staff = {}
    for email, name, role, org in STAFF_ACCOUNTS:
        values = {"email": email, "name": name, "role": role.value, "password_hash": None}
        values["organisation"] = organisations[org]
        staff[email] = _get_or_create(User, "email", values, summary, "staff_accounts")

    clock_change = next_clock_change(now.astimezone(COPENHAGEN).date())
    for number, spec in enumerate(OFFERINGS):
        existing = db.session.scalar(sa.select(Offering.id).where(Offering.slug == spec["slug"]))
        if existing is not None:
            summary["present"]["offerings"] += 1
            continue
        offering = Offering(
            **{key: _plain(value) for key, value in spec.items() if key in _OFFERING_COLUMNS},
            organisation=organisations[spec["org"]],
            co_organisers=[organisations[slug] for slug in spec.get("co_organisers", ())],
            themes=[themes[slug] for slug in spec["themes"]],
            location=locations[spec["location"]] if "location" in spec else None,
            contact_email=organisations[spec["org"]].email,
        )
        offering.status = _plain(spec.get("status", OfferingStatus.PUBLISHED))
        offering.description = spec["description"] + PRACTICAL[spec["kind"]][0]
        if spec.get("description_en"):
            offering.description_en = spec["description_en"] + PRACTICAL[spec["kind"]][1]
        offering.audience_rows = [OfferingAudience(audience=a.value) for a in spec["audiences"]]
        offering.facilitators = [
            Facilitator(
                user=staff.get(who),
                guest_name=None if who in staff else who,
                role=role.value,
                position=position,
            )
            for position, (who, role) in enumerate(spec["facilitators"])
        ]
        offering.occurrences = (
            _occurrences(spec, offering.status, now, clock_change) if spec["series"] else []
        )
        first_start = offering.occurrences[0].starts_at if offering.occurrences else None
        if "opens_in_days" in spec:
            offering.signup_opens_at = now + timedelta(days=spec["opens_in_days"])
        if "closes_days_before" in spec:
            offering.signup_closes_at = first_start - timedelta(days=spec["closes_days_before"])
        db.session.add(offering)
        enrollments = _enrollments(offering, spec, number, now)
        db.session.add_all(enrollments)
        summary["created"]["offerings"] += 1
        summary["created"]["occurrences"] += len(offering.occurrences)
        summary["created"]["enrollments"] += len(enrollments)

    db.session.flush()
    return summary


def next_clock_change(today: date) -> date:
    """The next change of clocks (last Sunday of March or October) with a whole week before it
    still to come, so a weekly series starting that week meets on both sides of the change."""
    changes = (
        _last_sunday(year, month) for year in (today.year, today.year + 1) for month in (3, 10)
    )
    return min(sunday for sunday in changes if sunday - timedelta(days=13) > today)


def _last_sunday(year: int, month: int) -> date:
    last_day = date(year, month + 1, 1) - timedelta(days=1)  # March and October only
    return last_day - timedelta(days=(last_day.weekday() + 1) % 7)


def _meeting_days(series: Series, today: date, clock_change: date) -> list[date]:
    if series.anchor == "clock_change":
        base = clock_change - timedelta(days=13)  # the Monday of the week before the change
    else:
        base = today + timedelta(days=series.from_day)
    first = base + timedelta(days=(series.weekday - base.weekday()) % 7)
    days = (first + timedelta(weeks=n * series.every_weeks) for n in itertools.count())
    return list(itertools.islice((d for d in days if (d.month, d.day) not in CLOSED), series.count))


def _occurrences(
    spec: dict[str, Any], offering_status: str, now: datetime, clock_change: date
) -> list[Occurrence]:
    """The offering's meetings; a cancelled offering keeps them, each marked cancelled."""
    series: Series = spec["series"]
    today = now.astimezone(COPENHAGEN).date()
    occurrences = []
    for number, day in enumerate(_meeting_days(series, today, clock_change)):
        starts_at = local_to_utc(day, time.fromisoformat(series.start))
        cancelled = offering_status == OfferingStatus.CANCELLED or number in series.cancelled
        status = OccurrenceStatus.CANCELLED if cancelled else OccurrenceStatus.SCHEDULED
        occurrences.append(
            Occurrence(
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=series.minutes),
                status=status.value,
                # Cancelling is a change a calendar must notice: SEQUENCE goes up.
                sequence=1 if cancelled else 0,
                cancelled_at=now if cancelled else None,
                note=spec.get("cancel_note") if number in series.cancelled else None,
            )
        )
    return occurrences


def _enrollments(
    offering: Offering, spec: dict[str, Any], number: int, now: datetime
) -> list[Enrollment]:
    """Made-up sign-ups in order of arrival: first the seats, then the waiting list."""
    statuses = [status for status, count in spec.get("seats", {}).items() for _ in range(count)]
    audiences = spec["audiences"]
    language = "en" if spec.get("teaching_language") == "en" else "da"
    queued_at = now - timedelta(days=12)
    enrollments = []
    for n, status in enumerate(statuses):
        name = PEOPLE[(number * 7 + n) % len(PEOPLE)]
        email = _email(name, n)
        queued_at += timedelta(hours=4, minutes=17)
        enrollments.append(
            Enrollment(
                offering=offering,
                name=name,
                email=email,
                email_normalized=normalize_email(email),
                audience=audiences[n % len(audiences)].value,
                status=status.value,
                queued_at=queued_at,
                consent_at=queued_at,
                confirmed_at=queued_at if status == CONFIRMED else None,
                cancelled_at=queued_at + timedelta(days=1) if status == CANCELLED else None,
                # interest mode: the first ones have had their first talk
                first_talk=(
                    (TalkStatus.HELD if n < spec.get("talks_held", 0) else TalkStatus.TO_DO).value
                    if status == INTERESTED
                    else None
                ),
                first_talk_on=(queued_at + timedelta(days=2)).date()
                if status == INTERESTED and n < spec.get("talks_held", 0)
                else None,
                wants_companion=n % 6 == 2,  # følgeskab
                language=language,
                manage_token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                created_at=queued_at,
            )
        )
    return enrollments


_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "."})


def _email(name: str, n: int) -> str:
    domain = ("example.com", "example.org", "example.net")[n % 3]
    return f"{name.lower().translate(_ASCII)}@{domain}"


def _plain(value: Any) -> Any:
    """Enum members as their plain values, so every database driver gets a str."""
    return value.value if isinstance(value, enum.Enum) else value


def _get_or_create(
    model: type, key: str, values: dict[str, Any], summary: dict[str, dict[str, int]], kind: str
) -> Any:
    row = db.session.scalar(sa.select(model).where(getattr(model, key) == values[key]).limit(1))
    if row is None:
        row = model(**values)
        db.session.add(row)
        summary["created"][kind] += 1
    else:
        summary["present"][kind] += 1
    return row
