/** An embedded Kubernetes API and ARM emulator for trying authip locally and for end-to-end tests. */
package io.authip.kubeapi;
