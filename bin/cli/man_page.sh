#!/usr/bin/env bash
# Writes a tool's man page from its own --help text, so the two cannot drift:
#   man_page.sh PROGRAM NAME SUMMARY > NAME.1
# runs PROGRAM --help as NAME (argv[0], the name it is installed under: the help
# then speaks of NAME) and keeps the whole text, verbatim, as the page's body;
# SUMMARY is the NAME section's one line (the Makefile takes the README's).
set -euo pipefail
program=$1 name=$2 summary=$(tr -d "\`" <<<"$3")
help=$(exec -a "$name" "$program" --help)
# groff: a backslash is \e, a line that starts with . or ' would be a request.
body=$(sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" <<<"$help")
upper=$(tr '[:lower:]' '[:upper:]' <<<"$name")
cat <<PAGE
.TH $upper 1 "" "mp" "User Commands"
.SH NAME
$name \\- $summary
.SH DESCRIPTION
The text of \\fB$name --help\\fR:
.PP
.nf
$body
.fi
.SH SEE ALSO
The README of mp (its libraries and tools).
PAGE
