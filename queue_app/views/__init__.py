"""Pure view functions: a `StoreSnapshot` in, the plain values each screen shows out.

One module per screen kind: `customer` (ticket pages), `public` (public and join pages),
`owner` (the dashboard), `display` (the wall screen); `common` holds what several share.
"""
