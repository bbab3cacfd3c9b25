"""``storymap geoparse --explain``: why each name is (or is not) a place, and which place.

Reads the traces that ``geo.mentions.recognise`` and ``geo.places.resolve`` fill when asked:
for every gazetteer match the recognition rules that accepted or rejected it; for every
resolved mention its candidates with their score and the evidence behind it.
"""

from __future__ import annotations


def format_explanation(article: str, explain: dict[str, list]) -> str:
    resolved = {(r["start"], r["end"]): r for r in explain.get("resolution", [])}
    lines = [f"{article}:"]
    for match in explain.get("recognition", []):
        verdict = "place" if match["accepted"] else "not a place"
        lines.append(f"  {match['start']:>6}-{match['end']:<6} {match['text']!r}: {verdict}")
        lines.extend(f"      rule {reason}" for reason in match["rules"])
        record = resolved.get((match["start"], match["end"]))
        if record is None:
            if match["accepted"]:
                lines.append("      no candidate kept (a village's stray alternate name)")
            continue
        lines.append(f"      probability right {record['probability']:.2f}")
        for rank, candidate in enumerate(record["candidates"]):
            mark = "→" if rank == 0 else " "
            lines.append(
                f"    {mark} {candidate['score']:6.2f} {candidate['name']} ({candidate['kind']}, "
                f"{candidate['country_code'] or '--'}) [{candidate['gazetteer_id']}]"
            )
            lines.extend(f"              {line}" for line in candidate["evidence"])
    return "\n".join(lines)
