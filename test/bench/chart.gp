# test/bench/chart.gp: the benchmark's bar chart (PNG), drawn by run.sh:
#   gnuplot -e "datafile='chart.dat'; labelfile='labels.gp'; outfile='bench.png'; \
#               charttitle='...'; whiskers=1" chart.gp
# chart.dat (tab-separated, one bar per variant): x, tps (median), lowest tps,
# highest tps, colour (1 bare, 2 plpgsql, 3 invstock, 4 invstock with slots,
# 5 the bounds: the floor and the bare UPDATE over plain slot rows),
# "variant", "tps label", "ratio label"; whiskers = 0 leaves out the range
# of the rounds (for a single round).  labelfile sets the y range, the
# workload names above each group and the separators between groups.
set terminal pngcairo size 1500,760 noenhanced font "sans,11"
set output outfile
set datafile separator "\t"
set title charttitle font ",13"
set ylabel "transactions per second (median over rounds; whiskers: lowest and highest round)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.8
set grid ytics lc rgb "#dddddd"
set xtics rotate by -30 nomirror font ",10"
set ytics nomirror
set border 3
set bmargin 10
set key horizontal outside bottom center samplen 2 spacing 1.1 maxrows 2
set tmargin 3
set linetype 1 lc rgb "#8c8c8c"
set linetype 2 lc rgb "#4c72b0"
set linetype 3 lc rgb "#dd8452"
set linetype 4 lc rgb "#c44e52"
set linetype 5 lc rgb "#d9d9d9"
load labelfile
plot datafile using 1:2:5:xtic(6) with boxes lc variable notitle, \
     '' using 1:(whiskers ? $3 : NaN):(0):($4 - $3) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1.2 notitle, \
     '' using 1:(whiskers ? $4 : $2):7 with labels nopoint offset 0,1.7 font ",9" notitle, \
     '' using 1:(whiskers ? $4 : $2):8 with labels nopoint offset 0,0.8 font ",9" tc rgb "#555555" notitle, \
     NaN with boxes lt 1 title "bare (plain table, one UPDATE)", \
     NaN with boxes lt 2 title "plpgsql (reference implementation)", \
     NaN with boxes lt 3 title "invstock", \
     NaN with boxes lt 4 title "invstock, hot-SKU slots = 16", \
     NaN with boxes lt 5 title "bounds: floor (the least the contract writes), bare UPDATE over 16 rows"
