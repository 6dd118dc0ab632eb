"""Word lists shared by the signals and the content model's field tokens.

``COMMERCIAL_WORDS``: words that turn a multi-word author "name" into an SEO keyword list
("cheap airline flights", "HP Printer Support", "python training in chennai") and that make
link text read as an advertisement. An ordinary name ("Maria Lopez", "lisa_k") holds none of
them; that is the point: a commenter's name is never a spam cue unless it sells something.
"""

from __future__ import annotations

COMMERCIAL_WORDS = frozenset(
    {"buy", "cheap", "best", "discount", "online", "sale", "free", "loan", "loans", "casino",
     "poker", "viagra", "cialis", "pills", "pharmacy", "replica", "essay", "essays", "seo",
     "insurance", "mortgage", "credit", "bitcoin", "crypto", "forex", "dating", "porn", "sex",
     "weight", "diet", "garcinia", "cbd", "vape", "outlet", "jerseys", "shoes", "bags", "watches",
     "review", "reviews", "coupon", "coupons", "deals", "price", "prices", "services", "service",
     "agency", "marketing", "followers", "download", "hack", "generator", "repair", "lawyer",
     "attorney", "rehab", "clinic", "supplements", "movers", "plumber", "escort", "escorts",
     # call-centre, training-institute, streaming and homework spam
     "support", "helpline", "customer", "printer", "printers", "antivirus", "quickbooks",
     "airline", "airlines", "flights", "flight", "reservation", "reservations", "booking",
     "tickets", "hotels", "training", "institute", "course", "courses", "coaching", "classes",
     "certification", "movies", "streaming", "writing", "assignment", "homework", "packers",
     "rental", "rentals", "cleaning", "plumbing", "roofing", "dentist", "cosmetic", "tours",
     "travels", "salon", "spa", "shop", "store", "wholesale", "manufacturer",
     "suppliers", "exporter", "developers", "development", "company", "solutions"}
)  # fmt: skip
