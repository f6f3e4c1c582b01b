"""Privacy: the notice, retention, a person's own data, the accessibility statement.

notice.py     the privacy notice's facts, from settings
retention.py  when personal data is erased, and `erase_*` that does it (`flask retention`)
own_data.py   everything we hold about one email address: to see, download and delete
routes.py     /privacy, /accessibility, /.well-known/security.txt, /my/data...
"""
