"""Live screens: one hub (`live.hub`) over one adapter (`live.adapter`, the only Reflex internals).

States call ``await live.hub.show(token, store_id, "ticket")`` in their `on_load` and
``live.hub.publish_soon(store_id)`` after a change; the composition root binds the state classes.
"""

from queue_app.live.core import Hub

hub = Hub()
