"""What a spammer gains from a comment: its payload.

Spam is posted for something it carries: a link or the commenter's web address, a phone number
or short code to text, an e-mail address or a messenger handle, a channel to subscribe to, a
page to visit, money or a prize to claim. A comment with none of these gains its author
nothing if it is published, and a reader may write the same words: "Please make a video on
this topic", "How do I subscribe to your newsletter?", "Very informative post. I learned a
lot."

So the engine never files a comment as spam on its wording alone when it carries no payload
(see ``Engine.check``): the content model may still hold it for a moderator, but a site's
readers are not thrown in the spam folder because their words resemble a spammer's. Any other
signal that fires (a campaign, a reputation, a spam topic, a template phrase…) is evidence
enough, and so is any of the forms below, which err on the side of "has a payload": the rule
exists to spare readers' plain comments, not to let spam through.
"""

from __future__ import annotations

import re

from rejoinder.spam.submission import Submission

MAX_CHARS = 4000

# A domain written into the text without a scheme, dots sometimes spaced ("site . com").
_DOMAIN = (
    r"\b[\w-]{2,63}\s?\.\s?(?:com|net|org|info|biz|ru|xyz|us|uk|de|in|co|io|me|ly|tk|gl|be|to"
    r"|site|online|cc|gd|link|app|club|top|vip|shop|store|live|pro|asia|th)\b"
)
# Numbers to call or text (five digits or more, spaced or not; not a year), USSD codes.
_NUMBER = r"\d[\d \-]{3,30}\d|\*\d{1,6}(?:\*\d{1,6}){0,5}#"
# An e-mail address, a messenger, a handle on a platform ("@name" alone is a reply to a reader).
_CONTACT = (
    r"\w@[\w-]{1,63}\.\w|whats\s?app|telegram|wa\.me|t\.me|viber|skype|wechat|\bdm\b|\bpm me\b"
    r"|\binbox\b|\btxt\b|пиши|лс\b|личк|телеграм|ватсап"
    r"|(?:instagram|insta|ig|tiktok|snapchat|snap|twitter|facebook|fb)\W{1,4}@\w"
    r"|@\w{1,30}\W{1,4}(?:on\s{1,3})?(?:instagram|insta|ig|tiktok|snapchat|snap|twitter|facebook|fb)\b"
)
# Self-promotion: the commenter's own channel, page or business; a count of subscribers.
_SELF = (
    r"\b(?:my|our)\s{1,3}(?:\w{1,20}\s{1,3})?(?:channel|videos?|vids?|vlogs?|page|site|website|blog"
    r"|profile|music|songs?|covers?|playlist|account|group|app|shop|store|business|services?"
    r"|products?|company|beats|mixtape|stream)\b"
    r"|\bcheck\s{1,3}(?:(?:it|this|me|us)\s{1,3})?out\b|\bvisit\s{1,3}(?:my|our|us)\b"
    r"|\bfollow\s{1,3}(?:me|us)\b|\bsub(?:s|scribers?)\b|\bsub\s?4\s?sub\b"
    r"|\bsubscribed?\s{1,3}(?:to\s{1,3})?(?:me|my|our|us|back)\b|\bthumbs\s{1,3}up\b"
    r"|\b(?:search|google)\s{1,3}(?:for\s{1,3})?(?-i:[\"'A-Z])"
    r"|\b(?:like|view|watch|share)\W{1,5}(?:and\W{1,5})?subscri|\bsubscrible\b|\bsuscribe\b"
    r"|\bshare\s{1,3}(?:this|my|our)\b|watch\?v=|\b(?:please|plz|pls)\s{1,3}subscri"
    r"|\bsubscri\w{0,6}\s{1,3}(?:now|u|you|like|back)\b"
)
# Text-message marketing: a keyword to send back, a price per message, tones.
_SMS = (
    r"(?-i:\b(?:reply|txt|text|send|call)\s{1,3}[A-Z0-9]{2,12}\b)|\b\d{1,4}p\b|\bper\s{1,3}(?:msg|wk|week)\b"
    r"|\b(?:ring)?tones\b|\b(?:to|2)\s{1,3}win\b|(?-i:\bFREE\b)|\byour\s{1,3}mobile\b"
)
# Money, prizes, investments and their Thai and Russian counterparts.
_MONEY = (
    r"[$£€₹฿]\s?\d|\d\s?(?:usd|usdt|eth|btc|bnb|k|บาท|บ\.)\b|\b(?:bitcoin|crypto|invest\w{0,6}"
    r"|profit\w{0,6}|earn\w{0,6}|income|forex|wallet|airdrop|casino|bonus|loans?|prizes?|winners?"
    r"|claim|cash)\b"
    r"|สมัคร|ฟรี|คลิก|เครดิต|โบนัส|สล็อต|บาคาร่า|ฝาก|ถอน|รายได้|เงิน|доход|заработ|оплат|работ"
)
_PAYLOAD_RE = re.compile(
    "|".join(f"(?:{part})" for part in (_DOMAIN, _NUMBER, _CONTACT, _SELF, _SMS, _MONEY)),
    re.IGNORECASE,
)


def carries_payload(submission: Submission) -> bool:
    """Whether the comment carries anything a spammer could gain from (see the module)."""
    if submission.urls or submission.author_url:
        return True
    return _PAYLOAD_RE.search(submission.text[:MAX_CHARS]) is not None
