"""Draws resources/icons/jiaoyu-app.png (256×256) from the same shapes as jiaoyu-app.svg, with
Pillow (no SVG renderer needed). Run once when the icon changes: python installer/deb/make_icon.py"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[2] / "resources" / "icons" / "jiaoyu-app.png"
S = 4  # drawn at 4× and scaled down: smooth edges


def p(*xy):
    return [v * S for v in xy]


img = Image.new("RGBA", (256 * S, 256 * S), (0, 0, 0, 0))
d = ImageDraw.Draw(img)
d.rounded_rectangle(p(8, 8, 248, 248), radius=40 * S, fill="#2e7d4f")


def page(x_out, fill):
    pts = [(x_out, 70), (84 if x_out < 128 else 172, 62), (128, 76), (128, 206),
           (84 if x_out < 128 else 172, 192), (x_out, 200)]
    d.polygon([(x * S, y * S) for x, y in pts], fill=fill)


page(40, "#ffffff")
page(216, "#e8f1ea")
for y in (98, 124, 150):
    d.line(p(56, y, 112, y + 8), fill="#2e7d4f", width=6 * S)
d.line(p(148, 138, 168, 160, 204, 112), fill="#d9342b", width=14 * S, joint="curve")
img.resize((256, 256), Image.LANCZOS).save(OUT)
print(OUT)
