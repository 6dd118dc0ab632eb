"""The ground floor: primitives and record types every layer may import.

Nothing here imports another rejoinder package except ``rejoinder.errors``: the clock, URL
helpers, keyed hashing (``anonymize``), the small TTL cache, and ``records`` (the record types
and enums that storage and the services share).
"""
