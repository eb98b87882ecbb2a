/**
 * Benchmarks for damselfly: {@code micro} holds JMH benchmarks of the hot paths, {@code load} the
 * socket load drivers, and the runner behind {@code scripts/bench} measures damselfly and a
 * reference redis-server side by side and reports ratios.
 */
package io.damselfly.bench;
