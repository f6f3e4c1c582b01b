"""My learning plan (min læringsplan): a participant's own goals and notes, one per course.

Only the person can read it, from /my after signing in with their address: no staff page,
no export for staff and no admin tool shows it. It is stored encrypted (crypto.py) with
LEARNING_PLAN_KEYS, goes into the person's own data export and is erased with their data.

models.py    the table: who, which course, and the encrypted content
crypto.py    Fernet with several keys (MultiFernet): the newest encrypts, all decrypt
services.py  read, save, export, erase, re-encrypt with the newest key
erasure.py   a plan goes when its sign-up is erased (retention, "delete my data")
own_data.py  plans on /my/data, in its JSON download, and deleted with the rest
routes.py    /my/learning-plan/<offering_id>, and `flask rotate-learning-plan-key`
"""
