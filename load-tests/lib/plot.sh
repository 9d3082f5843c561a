# shellcheck shell=bash
# Plots for the load-test reports (sourced). gnuplot's png terminal writes a PNG beside the report;
# callers install gnuplot first (install_missing gnuplot, from common.sh).

# plot_cdf OUT.png TITLE CSV LABEL [CSV LABEL]...: the cumulative distribution of the last column
# (milliseconds) of each CSV (with a header line), on a log time axis.
plot_cdf() {
  local out=$1 title=$2 plots=() i=0
  shift 2
  while [ $# -ge 2 ]; do
    tail -n +2 "$1" | awk -F, '{print $NF}' | sort -g | awk '{v[NR] = $1} END {for (i = 1; i <= NR; i++) print v[i], i / NR}' \
      >"$WORK/cdf-$i.dat"
    plots+=("'$WORK/cdf-$i.dat' using 1:2 with lines lw 2 title '$2'")
    i=$((i + 1))
    shift 2
  done
  local joined; joined=$(printf '%s, ' "${plots[@]}")
  gnuplot <<GP
set terminal png size 960,540 font ",11"
set output '$out'
set title '$title'
set logscale x
set xlabel 'milliseconds (log scale)'
set ylabel 'fraction of samples'
set yrange [0:1.02]
set grid
set key bottom right
plot ${joined%, }
GP
}

# plot_bars OUT.png TITLE YLABEL DATA [log]: DATA has lines '"label" value [value2]'; one bar per
# line (two with value2, e.g. p50 and p99) for the throughput and latency comparisons. "log" puts
# the values on a log scale, for latencies that differ by orders of magnitude.
plot_bars() {
  local out=$1 title=$2 ylabel=$3 data=$4 scale=${5:-linear} cols
  cols=$(awk -F'"' '{n = split($3, v, " "); print n + 1; exit}' "$data")
  gnuplot <<GP
set terminal png size 960,540 font ",11"
set output '$out'
set title '$title'
set ylabel '$ylabel'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
$(if [ "$scale" = log ]; then echo "set logscale y"; echo "set yrange [0.1:*]"; else echo "set yrange [0:*]"; fi)
set grid ytics
set xtics noenhanced
set key top right
$(if [ "$cols" -ge 3 ]; then
    echo "plot '$data' using 2:xtic(1) title 'p50', '' using 3 title 'p99'"
  else
    echo "plot '$data' using 2:xtic(1) notitle"
  fi)
GP
}
