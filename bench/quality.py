"""Defect rate and diversity of the builtin composer over the quality topic set.

``uv run python -m bench.quality``: runs every case of ``tests/quality.py`` (62 topics in
seven forms, every system persona and no persona, every platform, batches of 5), plus
comments on a sample of those posts and ad copy for 5 products x 6 networks x 7 instruction
sets, and prints a Markdown table. Diversity is the word-3-gram Jaccard between posts of one
batch (lower is more varied) and the share of distinct sentences over all posts.
"""

from __future__ import annotations

import statistics
import sys
import time

from tests import quality as q


def _distinct_sentences(posts: list[str]) -> float:
    sentences = [" ".join(s.lower().split()) for post in posts for s in q.sentences_of(post)]
    return len(set(sentences)) / len(sentences) if sentences else 1.0


def main() -> int:
    started = time.perf_counter()
    posts: list[str] = []
    report = q.Report()
    for case in q.cases():
        batch = q.batch(case)
        posts += batch
        report.posts += len(batch)
        report.batches += 1
        for post in batch:
            report.defects += q.post_defects(post, case)
        found, scores = q.batch_defects(batch)
        report.defects += found
        report.jaccards += scores
    elapsed = time.perf_counter() - started
    comments = q.check_comments(posts[::15])
    ads = q.check_ads()
    print("| what | items | with a defect | defect rate | mean / max batch 3-gram Jaccard |")
    print("|---|---|---|---|---|")
    mean = statistics.fmean(report.jaccards) if report.jaccards else 0.0
    print(
        f"| posts ({report.batches} batches of {q.BATCH}) | {report.posts} |"
        f" {len(report.defects)} | {len(report.defects) / report.posts:.1%} |"
        f" {mean:.3f} / {report.max_jaccard:.3f} |"
    )
    print(
        f"| comments | {comments.posts} | {len(comments.defects)} |"
        f" {len(comments.defects) / max(comments.posts, 1):.1%} | - |"
    )
    ad_mean = statistics.fmean(ads.jaccards) if ads.jaccards else 0.0
    print(
        f"| ad-copy variants ({ads.batches} sets) | {ads.posts} | {len(ads.defects)} |"
        f" {len(ads.defects) / max(ads.posts, 1):.1%} | {ad_mean:.3f} / {ads.max_jaccard:.3f} |"
    )
    print(f"\ndistinct sentences over all posts: {_distinct_sentences(posts):.1%}")
    print(f"posts composed in {elapsed:.1f} s ({1000 * elapsed / report.posts:.1f} ms each)")
    for defect in (report.defects + comments.defects + ads.defects)[:20]:
        print(f"- {defect}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
