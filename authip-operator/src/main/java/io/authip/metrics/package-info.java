/** Metric names and recording (Micrometer, exported in the Prometheus format). */
package io.authip.metrics;
