#!/usr/bin/env bash
# Recreates the document fixtures in test/fixtures/docs with real tools (LibreOffice, Ghostscript-free).
# Needs: apt-get install -y libreoffice-writer-nogui poppler-utils python3
# The committed files are the output of this script; tests never run it.
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/docs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/solar-guide.html" <<'HTML'
<html><head><meta charset="utf-8"><title>A Homeowner's Guide to Solar Power</title></head><body>
<h1>How photovoltaic panels turn sunlight into electricity</h1>
<p>A solar panel is made of many photovoltaic cells, thin wafers of silicon treated so that one side carries
a surplus of electrons and the other a shortage. When light strikes a cell, photons knock electrons loose, and
the electric field between the two layers pushes them in one direction: a direct current flows.</p>
<p>The cells are wired together in series to raise the voltage, and the panels in turn are wired into strings.
An inverter converts the direct current into the alternating current that household appliances expect, and it
also tracks the point of maximum power as clouds pass and the sun moves across the sky.</p>
<h1 style="page-break-before: always">Sizing a home battery bank</h1>
<p>A battery stores the surplus produced at midday so the house can draw on it after sunset. To choose its
capacity, add up the kilowatt-hours your household consumes between evening and morning: lighting, the fridge,
cooking, heating water and charging devices. A typical family uses between five and twelve kilowatt-hours overnight.</p>
<p>Lithium iron phosphate batteries tolerate thousands of cycles but should not be drained completely; plan for a
usable depth of discharge of about ninety percent. If you want to ride out a grid outage lasting two days, double
the nightly figure and add a margin for cloudy weather.</p>
<h1 style="page-break-before: always">Cleaning and maintaining panels in winter</h1>
<p>Snow usually slides off tilted panels on its own once the sun warms the dark glass. Never scrape the surface
with a metal shovel or pour hot water on frozen glass: the sudden change in temperature can crack it. A soft
roof rake with a foam head, used from the ground, removes heavy snow safely.</p>
<p>In dry winters, dust and pollen build up and can cut the output by several percent. Rinse the panels with
lukewarm water early in the morning, when the glass is cool, and check the mounting bolts and cables for damage
from ice once the season is over.</p>
</body></html>
HTML

cat > "$work/beekeeping.html" <<'HTML'
<html><head><meta charset="utf-8"><title>Keeping Bees</title></head><body>
<h1>Keeping bees through the season</h1>
<p>Inspect each hive every seven to ten days from spring to late summer. Choose a warm, calm afternoon when most
foragers are out, move slowly, and use a little cool smoke at the entrance before lifting the lid.</p>
<h2>What to look for during an inspection</h2>
<ul>
<li>Eggs standing upright in the cells, which show that the queen was laying in the last three days.</li>
<li>A compact brood pattern with few empty cells.</li>
<li>Enough stores of honey and pollen around the brood nest.</li>
<li>Queen cells hanging from the bottom edge of the frames.</li>
</ul>
<h2>Preventing swarms</h2>
<p>A colony that runs out of room raises new queens and half of the bees leave with the old queen to find a new
home. Give them space before they need it: add a super when the bees cover seven of the ten frames, and split
a strong colony into two hives when you find queen cells being built.</p>
<h2>Harvesting honey</h2>
<p>Take only frames in which at least four fifths of the cells are capped with wax, which shows that the honey has
dried enough not to ferment. Leave the colony enough honey to last through the winter, about twenty kilograms
in a cold climate, and extract the rest with a centrifugal extractor before straining it into jars.</p>
</body></html>
HTML

(cd "$work" && soffice --headless --convert-to pdf:writer_pdf_Export solar-guide.html >/dev/null 2>&1)
(cd "$work" && soffice --headless --convert-to 'docx:MS Word 2007 XML' beekeeping.html >/dev/null 2>&1)
cp "$work/solar-guide.pdf" solar-guide.pdf
cp "$work/beekeeping.docx" beekeeping.docx

# Broken documents: a PDF cut in half, a DOCX with damaged zip bytes, a text file named .pdf, an empty PDF.
head -c $(( $(stat -c %s solar-guide.pdf) / 2 )) solar-guide.pdf > corrupt.pdf
python3 - <<'PY'
data = bytearray(open("beekeeping.docx", "rb").read())
mid = len(data) // 3
data[mid:mid + 400] = bytes((i * 37) % 256 for i in range(400))
open("corrupt.docx", "wb").write(bytes(data[: len(data) * 2 // 3]))
PY
printf 'This is plain text that only pretends to be a PDF.\n' > not-really.pdf
: > empty.pdf

# Encodings: UTF-16 LE and BE with a BOM, UTF-8 with a BOM and CRLF line endings.
python3 - <<'PY'
tea = ("Brewing a good pot of tea\n"
       "Warm the pot first, then use one teaspoon of loose leaves per cup.\n"
       "Green tea wants water at about 80 degrees; black tea wants it just off the boil.\n"
       "Steep for three to five minutes, then pour it all out so it does not turn bitter.\n"
       "Served at the café on the corner, it is naïve to add sugar before tasting.\n")
open("utf16le.txt", "wb").write(b"\xff\xfe" + tea.encode("utf-16-le"))
open("utf16be.txt", "wb").write(b"\xfe\xff" + tea.encode("utf-16-be"))
md = "# Release checklist\r\n\r\n- Update the changelog\r\n- Tag the release\r\n- Publish the packages\r\n"
open("utf8-bom.md", "wb").write(b"\xef\xbb\xbf" + md.encode("utf-8"))
import os, random
random.seed(1)
open("binary.dat", "wb").write(bytes(random.randrange(256) for _ in range(2048)) + b"\x00" * 16)
PY
# A real PNG: the first page of the PDF, rendered small.
pdftoppm -png -r 12 -f 1 -l 1 -singlefile solar-guide.pdf image
ls -l
