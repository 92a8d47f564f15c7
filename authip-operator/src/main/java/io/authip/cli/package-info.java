/** The {@code authip} command line. */
package io.authip.cli;
