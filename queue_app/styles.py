"""Design tokens: one place for colours, sizes and the touch-target minimum."""

TOUCH = "48px"  # minimum height of anything a thumb presses
ACCENT = "indigo"
MAX_FORM_WIDTH = "28rem"
PAGE_PADDING = {"base": "1rem", "md": "2rem"}

page = {"min_height": "100vh", "padding": "clamp(0.75rem, 3vw, 2rem)", "background": "var(--gray-2)"}
card = {"width": "100%", "padding": "1.25rem", "border_radius": "12px",
        "background": "var(--color-panel-solid)", "box_shadow": "0 1px 3px rgba(0,0,0,.08)"}
error_text = {"color": "var(--red-11)", "font_size": "0.9rem"}
big_button = {"min_height": TOUCH, "font_size": "1rem", "cursor": "pointer"}
input_box = {"min_height": TOUCH, "font_size": "16px", "width": "100%"}  # 16px: no iOS zoom
