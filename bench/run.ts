// Benchmark entry point; filled by the benchmark work.
console.log('no benchmarks yet');
