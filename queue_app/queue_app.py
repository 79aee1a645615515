"""Composition root: the Reflex app, every page with its `on_load`, lifespan tasks and HTTP routes."""

from __future__ import annotations

import reflex as rx

from queue_app import gcpolicy, jobs, live, metrics, room_live, routes
from queue_app.api import api
from queue_app.instrument import instrument_events
from queue_app.live import adapter
from queue_app.logs import configure_logging, report_unhandled
from queue_app.pages.confirm import confirm_page
from queue_app.pages.connection import connection_banner
from queue_app.pages.dashboard import dashboard_page
from queue_app.pages.display import display_page
from queue_app.pages.join import join_page
from queue_app.pages.public import closed_page, public_page
from queue_app.pages.room import room_dashboard_page, visitor_page
from queue_app.pages.shell import PREVIEW_META, loading_shell, shell_style
from queue_app.pages.signin import forgot_page, reset_page, signin_page
from queue_app.pages.signup import signup_page
from queue_app.pages.ticket import ticket_page
from queue_app.state.boards import StoreBoard, TicketBoard
from queue_app.state.confirm import ConfirmState
from queue_app.state.dashboard import DashboardState
from queue_app.state.join import JoinState
from queue_app.state.public import DisplayState, PublicState
from queue_app.state.room import RoomDashboardState, VisitorState
from queue_app.state.signin import ForgotState, ResetState, SigninState
from queue_app.state.signup import SignupState
from queue_app.state.throttle import EventRateLimit
from queue_app.state.ticket import TicketState

configure_logging()
instrument_events()  # a request id and a latency metric for every event handler
metrics.watch_gc()  # how long each garbage collection stops the worker
gcpolicy.tune()  # how often it does (QUEUE_GC_THRESHOLD)

app = rx.App(
    sio=adapter.make_sio(),  # Reflex's own server, on Redis when REFLEX_REDIS_URL is set
    api_transformer=api,
    backend_exception_handler=report_unhandled,
    head_components=[rx.el.meta(name="theme-color", content="#3e63dd"), *PREVIEW_META, shell_style()],
    stylesheets=["/queue.css"],
)
# Plain words when the connection drops, instead of Reflex's toast for developers (SPEC §7).
# An app wrap gets the whole page as its children: the banner and the loading shell sit in a
# fragment before it (the shell is all a parameterized route's prebuilt HTML holds).
app.app_wraps[(5, "Overlay")] = lambda stateful: (
    rx.fragment(connection_banner(), loading_shell()) if stateful else None)
app.add_middleware(EventRateLimit())
live.hub.bind({"customer": TicketBoard, "public": StoreBoard,
               "dashboard": DashboardState, "display": DisplayState})
app.register_lifespan_task(live.hub.remember_loop)
room_live.bind(visitor=VisitorState, owner=RoomDashboardState)
app.register_lifespan_task(room_live.remember_loop)
app.register_lifespan_task(jobs.run_scheduler)

app.add_page(signup_page, route=routes.OPEN_STORE, title="Open a store · Queue System",
             on_load=SignupState.load)
app.add_page(signin_page, route=routes.SIGN_IN, title="Sign in · Queue System",
             on_load=SigninState.load)
app.add_page(forgot_page, route=routes.FORGOT, title="Forgot password · Queue System",
             on_load=ForgotState.load)
app.add_page(reset_page, route=routes.RESET, title="New password · Queue System",
             on_load=ResetState.load)
app.add_page(confirm_page, route=routes.CONFIRM, title="Confirm your email · Queue System",
             on_load=ConfirmState.load)
app.add_page(dashboard_page, route=routes.DASHBOARD, title="Dashboard · Queue System",
             on_load=DashboardState.load)
app.add_page(closed_page, route=routes.CLOSED, title="Store closed · Queue System")
app.add_page(join_page, route=routes.JOIN, title="Join the queue", on_load=JoinState.load)
app.add_page(ticket_page, route=routes.TICKET, title="Your ticket", on_load=TicketState.load)
app.add_page(public_page, route=routes.PUBLIC, title="Queue", on_load=PublicState.load)
app.add_page(display_page, route=routes.DISPLAY, title="Now serving", on_load=DisplayState.load)
app.add_page(visitor_page, route=routes.VISITOR, title="Waiting room", on_load=VisitorState.load)
app.add_page(room_dashboard_page, route=routes.ROOM_DASHBOARD, title="Waiting room · Queue System",
             on_load=RoomDashboardState.load)
