# Full month names, as on the cards: "June 1, 2026".
DATE_FORMAT = "F j, Y"
