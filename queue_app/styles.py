"""Design tokens: one place for colours, sizes and the touch-target minimum."""

TOUCH = "48px"  # minimum height of anything a thumb presses
ROW_TOUCH = "36px"  # buttons in dense lists (customer rows): 8 px apart, so still easy to hit
MUTED = "var(--gray-11)"  # secondary text: gray-10 was 3.6:1 on the page, gray-11 passes 4.5:1
ACCENT = "indigo"
MAX_FORM_WIDTH = "28rem"
PAGE_PADDING = {"base": "1rem", "md": "2rem"}

page = {"min_height": "100vh", "padding": "clamp(0.75rem, 3vw, 2rem)", "background": "var(--gray-2)"}
card = {"width": "100%", "padding": "1.25rem", "border_radius": "12px",
        "background": "var(--color-panel-solid)", "box_shadow": "0 1px 3px rgba(0,0,0,.08)"}
error_text = {"color": "var(--red-11)", "font_size": "0.9rem"}
big_button = {"min_height": TOUCH, "font_size": "1rem", "cursor": "pointer"}
input_box = {"min_height": TOUCH, "font_size": "16px", "width": "100%"}  # 16px: no iOS zoom
one_line = {"flex": "1 1 auto", "min_width": "0", "overflow": "hidden", "text_overflow": "ellipsis",
            "white_space": "nowrap"}
row_button = {"min_height": ROW_TOUCH, "min_width": ROW_TOUCH, "cursor": "pointer"}
conflict_text = {"color": "var(--red-11)", "font_size": "0.875rem", "font_weight": "500"}

# The dashboard's layout. Radix props take breakpoints as {"initial": …, "md": …} ("base" is
# ignored: only the larger breakpoint was emitted), so layouts that change with the width are plain
# CSS media queries here, at Radix's breakpoints (sm 768 px, md 1024 px).
SM, MD = "@media (min-width: 768px)", "@media (min-width: 1024px)"
queue_columns = {
    "display": "grid", "gap": "12px", "grid_auto_flow": "column",
    "grid_auto_columns": "min(88%, 420px)", "overflow_x": "auto", "scroll_snap_type": "x mandatory",
    "padding_bottom": "4px", "& > *": {"scroll_snap_align": "start"},
    SM: {"grid_auto_flow": "row", "grid_auto_columns": "auto", "overflow_x": "visible",
         "grid_template_columns": "repeat(auto-fit, minmax(min(100%, 280px), 1fr))"},
}
side_panel = {  # on a phone the queues come first: the owner works them, customers scan the counter
    "display": "grid", "gap": "12px", "width": "100%", "grid_template_columns": "1fr", "order": "2",
    SM: {"grid_template_columns": "1fr 1fr", "order": "0"},
    MD: {"grid_template_columns": "1fr", "width": "280px", "flex_shrink": "0"},
}
dashboard_body = {"display": "flex", "flex_direction": "column", "gap": "12px", "width": "100%",
                  "align_items": "start", MD: {"flex_direction": "row"}}
