"""A small PNG chart for /stats: questions per day, split by how the bot answered them."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

WIDTH, HEIGHT, MARGIN = 900, 420, 50
COLOURS = {"answered": (46, 139, 87), "unsure": (240, 173, 78), "abstained": (200, 80, 80)}
OUTCOMES = ("answered", "unsure", "abstained")


def questions_chart(days: list[tuple[str, dict[str, int]]], legend: dict[str, str],
                    title: str) -> bytes:
    """Stacked bars, one per day (oldest on the left), with a legend; PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, 12), title, fill="black")
    top = max((sum(counts.values()) for _day, counts in days), default=0) or 1
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN - 20
    base_y = MARGIN + 20 + plot_h
    draw.line((MARGIN, base_y, WIDTH - MARGIN, base_y), fill="black")
    step = plot_w / max(len(days), 1)
    for index, (day, counts) in enumerate(days):
        x0, y = MARGIN + index * step + step * 0.15, float(base_y)
        for outcome in OUTCOMES:
            height = plot_h * counts.get(outcome, 0) / top
            if height:
                draw.rectangle((x0, y - height, x0 + step * 0.7, y), fill=COLOURS[outcome])
            y -= height
        if len(days) <= 15 or index % max(len(days) // 15, 1) == 0:
            draw.text((x0, base_y + 4), day[5:], fill="black")
    draw.text((MARGIN - 40, MARGIN + 16), str(top), fill="black")
    x = WIDTH - MARGIN - 330
    for outcome in OUTCOMES:
        draw.rectangle((x, 14, x + 12, 26), fill=COLOURS[outcome])
        draw.text((x + 16, 14), legend.get(outcome, outcome), fill="black")
        x += 110
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
