"""The report's stylesheet: system fonts only, nothing to download."""

CSS = """
:root { --ink: #222; --muted: #777; --line: #e3e3e3; --reddit: #ff4500; --bluesky: #0a7aff;
        --good: #2e7d32; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; background: var(--bg); color: var(--ink);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header h1 { margin: 0; font-size: 28px; }
header h1 span { font-weight: 400; color: var(--muted); font-size: 20px; }
header p { margin: 4px 0 20px; color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px;
          margin: 0 0 18px; }
section h2 { margin: 0 0 10px; font-size: 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 14px;
         background: none; border: 0; padding: 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; }
.card h3 { margin: 0 0 6px; font-size: 15px; color: var(--muted); font-weight: 600; }
.card p { margin: 2px 0; }
.card .big { font-size: 34px; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
.card .unit { color: var(--muted); margin-bottom: 8px; }
.progress { height: 10px; background: #e8eee8; border-radius: 5px; overflow: hidden; margin: 8px 0 4px; }
.progress span { display: block; height: 100%; background: var(--good); }
.pair { display: grid; grid-template-columns: 3fr 2fr; gap: 18px; }
.pair section { margin: 0 0 18px; }
.chart svg { width: 100%; height: auto; display: block; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 14px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #fafafa; font-weight: 600; position: sticky; top: 0; }
tbody tr:nth-child(even) { background: #fbfbfc; }
.num { text-align: right; }
.gap { color: #bbb; }
.barcell { width: 18%; min-width: 80px; }
.bar { display: flex; height: 12px; }
.bar span { display: block; height: 100%; }
.bar .reddit, .badge.reddit { background: var(--reddit); }
.bar .bluesky, .badge.bluesky { background: var(--bluesky); }
.note, .muted { color: var(--muted); font-size: 13px; }
ol.posts { margin: 0; padding-left: 26px; }
ol.posts li { padding: 8px 0; border-bottom: 1px solid var(--line); }
ol.posts p { margin: 2px 0; }
/* Posts and petition titles are anyone's words: a 600-letter "word" must not widen the page. */
ol.posts p, .card h3, .card .big { overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: 13px; }
.badge { color: #fff; border-radius: 4px; padding: 1px 6px; font-size: 12px; font-weight: 600; }
.open a, h3 a { color: #1a5fb4; text-decoration: none; }
ul.articles { list-style: none; margin: 0; padding: 0; }
ul.articles li { padding: 10px 0; border-bottom: 1px solid var(--line); }
ul.articles h3 { margin: 0; font-size: 16px; }
ul.articles p { margin: 3px 0; }
.tags span { display: inline-block; background: #eef1f6; border-radius: 4px; padding: 0 6px;
             margin: 0 4px 2px 0; font-size: 12px; color: #555; }
footer { color: var(--muted); font-size: 13px; margin-top: 8px; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } body { padding: 12px; } }
/* On a phone a chart scaled to the screen has 5-pixel labels: keep it readable, scroll it. */
@media (max-width: 600px) { .chart { overflow-x: auto; } .chart svg { min-width: 560px; } }
"""
