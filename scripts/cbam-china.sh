#!/usr/bin/env bash
# Regenerates the numbers of docs/cbam-china.md: for every good of the China default-value table, the default
# (before and with the 2026, 2027 and 2028 mark-ups) beside the intensity of the matching route simulated with
# China's grid factor, through `panocarbon cbam compare --route ... --set route.grid_factor_t_per_mwh=...`.
#
#   scripts/cbam-china.sh [--bin build/bin/panocarbon] [--grid 0.5366]
# Prints a Markdown table on standard output (and the commands it ran, with --commands).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/build/bin/panocarbon"
grid=0.5366   # MEE and NBS, 2022 national average electricity CO2 emission factor (announcement of 20 Dec 2024)
show_commands=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --grid) grid=$2; shift 2 ;;
    --commands) show_commands=1; shift ;;
    *) echo "usage: $0 [--bin PANOCARBON] [--grid T_PER_MWH] [--commands]" >&2; exit 2 ;;
  esac
done
cd "$root"
db=$(mktemp -d)/cbam-china.db
trap 'rm -rf "$(dirname "$db")"' EXIT
R=examples/process/routes
# good|route (empty: none)|extra --set (space-separated)|label
goods=(
  "2523100010|||white clinker: needs a white-clinker kiln route (low-iron raw meal, higher kiln heat)"
  "2523100090|$R/cement-clinker-coal.json||grey clinker, coal kiln"
  "25232100|||white Portland cement: needs a white-clinker route"
  "25232900|$R/cement-portland-coal.json||grey Portland cement CEM I (clinker ratio 0.90), coal kiln"
  "25233000|||aluminous cement: needs a calcium-aluminate clinker route"
  "2523900090|||other hydraulic cements: needs the blend's composition"
  "26011200|||agglomerated iron ore: needs a sinter or pellet route (the sinter_plant unit of steel-bf-bof.json alone)"
  "28041000|$R/hydrogen-coal-gasification.json||hydrogen, coal gasification"
  "28041000|$R/hydrogen-gas-smr.json||hydrogen, natural-gas SMR"
  "28080000|||nitric acid: needs an ammonia-oxidation route with its N2O abatement"
  "28141000|$R/ammonia-coal-gasification.json||ammonia, coal gasification"
  "28141000|$R/ammonia-gas-smr.json||ammonia, natural-gas SMR"
  "31021019|$R/china/urea-coal.json|route.urea_co2_credit=0|urea, coal-gasification ammonia, urea CO2 counted as emitted"
  "31021019|$R/urea-gas.json|route.urea_co2_credit=0|urea, natural-gas ammonia, urea CO2 counted as emitted"
  "31021090|$R/china/urea-coal.json|route.urea_co2_credit=0|urea (<= 45 % N grades), coal-gasification ammonia"
  "31023090|||ammonium nitrate: needs nitric acid and neutralisation routes"
  "7201|$R/iron-pig-iron-bf.json||pig iron, blast furnace (with coke oven and sinter)"
  "72026000|||ferro-nickel: needs a rotary-kiln electric-furnace (RKEF) route"
  "72061000|$R/steel-bf-bof.json||ingots, BF-BOF crude steel"
  "72061000|$R/steel-scrap-eaf.json||ingots, scrap EAF crude steel"
  "72071210|$R/steel-bf-bof.json||semi-finished, BF-BOF crude steel (casting included)"
  "7208|$R/steel-hot-rolled-bf-bof.json||hot-rolled flat, BF-BOF with hot rolling"
  "7209|$R/steel-hot-rolled-bf-bof.json||cold-rolled flat: hot-rolled BF-BOF only (no cold-rolling unit: a lower bound)"
  "72142000|$R/steel-hot-rolled-bf-bof.json||rebar, BF-BOF with hot rolling (a flat mill's figures)"
  "72142000|$R/steel-scrap-eaf.json||rebar, scrap EAF crude steel (no rolling: a lower bound)"
  "7601|$R/aluminium-primary-prebake.json||unwrought aluminium, prebake (IPCC Tier 1 PFCs)"
  "76041010|||aluminium bars and rods: needs extrusion (and casthouse) routes"
  "7606|||aluminium plates, sheets, strip: needs a rolling route"
  "7607|||aluminium foil: needs a rolling route"
)
j() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
echo "| CN code | good and route | default | 2026 (+m) | 2027 | 2028 | actual (route) | base gap | verdict |"
echo "|---|---|---|---|---|---|---|---|---|"
for g in "${goods[@]}"; do
  IFS='|' read -r code route extra label <<<"$g"
  [ -z "$label" ] && continue
  sets=()
  for s in $extra; do sets+=(--set "$s"); done
  args=(cbam compare --country CN --good "$code" --format json --db "$db")
  if [ -n "$route" ]; then args+=(--route "$route" --set "route.grid_factor_t_per_mwh=$grid" "${sets[@]}"); fi
  y26=$("$bin" "${args[@]}" --year 2026)
  y27=$("$bin" "${args[@]}" --year 2027)
  y28=$("$bin" "${args[@]}" --year 2028)
  [ "$show_commands" = 1 ] && echo "panocarbon ${args[*]} --year 2026" | sed "s| --format json --db $db||" >&2
  d=$(echo "$y26" | j 'd["default_t_per_t"]')
  m26=$(echo "$y26" | j '"%.3f" % d["default_with_markup_t_per_t"]')
  m27=$(echo "$y27" | j '"%.3f" % d["default_with_markup_t_per_t"]')
  m28=$(echo "$y28" | j '"%.3f" % d["default_with_markup_t_per_t"]')
  if [ -n "$route" ]; then
    a=$(echo "$y26" | j '"%.3f" % d["actual_t_per_t"]')
    gap=$(echo "$y26" | j '"%+.3f" % d["base_gap_t_per_t"]')
    verdict=$(echo "$y26" | j '("default above actual: claim holds" if d["base_gap_t_per_t"] > 0.05 else ("default below actual: claim fails; only the mark-up covers it" if d["base_gap_t_per_t"] < -0.05 and d["difference_t_per_t"] > 0 else ("default below actual even with the 2026 mark-up" if d["base_gap_t_per_t"] < -0.05 else "within 0.05: no overestimate")))')
    if [ "$(echo "$y28" | j 'd["difference_t_per_t"] < 0')" = True ]; then verdict="$verdict (below actual even in 2028)"; fi
  else
    a="-"; gap="-"; verdict="no route"
  fi
  echo "| $code | $label | $d | $m26 | $m27 | $m28 | $a | $gap | $verdict |"
done
