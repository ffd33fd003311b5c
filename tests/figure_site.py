"""A small site whose one post draws a viridis heat map, a line plot and a short animation:
the figures the dark-mode and phone tests measure."""

from __future__ import annotations

from pathlib import Path

POST = '''---
title: "A heat map, a line plot and an animation"
date: 2024-01-02
---

A heat map in viridis, with its colour bar.

```python {exec=true, id="heat", caption="A viridis heat map", alt="A smooth heat map"}
y, x = np.mgrid[0:1:64j, 0:1:96j]
fig, ax = plt.subplots(figsize=(6, 3.5))
image = ax.imshow(np.sin(6 * x) * np.cos(4 * y), cmap="viridis", aspect="auto")
fig.colorbar(image, ax=ax)
ax.set_xlabel("position")
```

Two lines, in the first two colours of the cycle.

```python {exec=true, id="line", caption="Two lines", alt="A straight line and a parabola"}
x = np.linspace(0, 1, 50)
plt.plot(x, x, label="x")
plt.plot(x, x**2, label="x squared")
plt.xlabel("x")
plt.legend()
```

A dot that moves.

```python {exec=true, id="dot", caption="A dot", alt="A moving dot", frames=3, fps=3}
from matplotlib.animation import FuncAnimation
fig, ax = plt.subplots(figsize=(3, 2))
dot, = ax.plot([0], [0], "o")
ax.set_xlim(0, 2)
anim = FuncAnimation(fig, lambda i: dot.set_xdata([i]), frames=3)
```
'''


def write_figure_site(root: Path, post: str = POST, config: str = "") -> Path:
    """The site's source folder under `root`: a config and the one post."""
    (root / "content" / "posts").mkdir(parents=True)
    (root / "config.yaml").write_text(f'baseURL: /\ntitle: "Figures"\n{config}',
                                      encoding="utf-8")
    (root / "content" / "posts" / "figures.md").write_text(post, encoding="utf-8")
    return root
