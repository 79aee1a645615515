"""Mail: pure message builders (`messages`) and the one adapter that sends them (`mailer`)."""
