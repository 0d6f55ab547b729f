#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Citations must resolve inside a clone of the repository:
#  1. no file (tracked or untracked, .git and ignored build output aside)
#     names a path outside it: the parent's shared/ tree ("../" + "shared",
#     "shared" + "/spec", "shared" + "/notes");
#  2. every "docs/api.md §N", "§N.M" and "§4 item K" (also split over comment
#     lines) names a section or item that docs/api.md has.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	list_files() { git ls-files -z -co --exclude-standard; }
else
	list_files() { find . \( -name .git -o -name build \) -prune -o -type f -print0; }
fi

d=shared
bad=$(list_files | xargs -0r grep -nIE -e "\.\./$d" -e "$d/(spec|notes)" -- || true)
if [ -n "$bad" ]; then
	echo "citations: paths outside the repository:"
	echo "$bad"
	exit 1
fi

[ -f docs/api.md ] || { echo "citations: docs/api.md is missing"; exit 1; }
bad=$(list_files | xargs -0r perl -0ne '
	BEGIN {
		open(my $f, "<", "docs/api.md") or die "docs/api.md: $!";
		local $/ = "\n";
		my $in4 = 0;
		while (<$f>) {
			$sec{$1} = 1 if /^##+ (\d+(?:\.\d+)?)\.? /;
			$in4 = /^## 4\. / ? 1 : /^## / ? 0 : $in4;
			$item{$1} = 1 if $in4 && /^(\d+)\. /;
		}
	}
	next if $ARGV =~ m{(^|/)docs/api\.md$};
	while (/docs\/api\.md\s*(?:\*\s*)?§(\d+(?:\.\d+)?)((?:\s+(?:\*\s*)?items?\s+\d+(?:,\s*(?:\*\s*)?\d+)*)?)/g) {
		my ($s, $items, $at) = ($1, $2, substr($_, 0, $-[0]) =~ tr/\n//);
		$items =~ s/\s*\*?\s+/ /g;
		my @why;
		push @why, "no section $s" unless $sec{$s};
		for my $k ($items =~ /(\d+)/g) {
			push @why, "no item $k in section 4" unless $s eq "4" && $item{$k};
		}
		print "$ARGV:", $at + 1, ": docs/api.md §$s$items: @why\n" if @why;
	}
')
if [ -n "$bad" ]; then
	echo "citations: references to docs/api.md that it does not have:"
	echo "$bad"
	exit 1
fi
n=$(list_files | xargs -0r grep -lIF 'docs/api.md' -- | wc -l)
echo "citations: ok (no path outside the repository; $n files cite docs/api.md)"
