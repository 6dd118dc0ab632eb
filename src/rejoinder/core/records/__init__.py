"""Record types and enums shared by storage and the services (comments, moderation, notify, and
the spam engine's verdict)."""
