"""Reminders by text message (SMS), for those who ask for them.

outbox.py writes an `SmsMessage` in the caller's transaction (once per person and date: a
dedupe key) and delivers due ones like the mail outbox (claimed once, retried with back-off,
failed for good after MAIL_MAX_ATTEMPTS); gateway.py is the small interface to the provider
(GatewayAPI's REST API). Without SMS_GATEWAY_TOKEN nothing is queued and nothing is sent.
"""
