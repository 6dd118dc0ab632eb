"""Outgoing notifications (mail)."""
