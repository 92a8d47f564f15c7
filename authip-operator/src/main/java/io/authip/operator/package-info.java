/** The JOSDK operator: a thin reconciler over small collaborators, status, events, wiring and health. */
package io.authip.operator;
