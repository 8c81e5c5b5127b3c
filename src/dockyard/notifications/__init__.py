"""Webhook notifications: events in Distribution's envelope, queued durably, sent per endpoint.

Request path → :class:`~dockyard.notifications.listener.Bridge` (builds the event) →
:class:`~dockyard.notifications.notifier.Notifier` (encodes it once) → every
:class:`~dockyard.notifications.endpoint.Endpoint` (ignore rules, then its
:mod:`~dockyard.notifications.queue`) → the endpoint's delivery thread (retries, backoff).
"""
