package io.authip.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Azure RBAC, reduced to what tenancy needs: the scopes (ARM ID prefixes) where a principal holds a role. A principal
 * with scopes may act only under them; one without is unrestricted, as every caller was before principals had
 * scopes. Scopes compare as ARM IDs do: case-insensitively, on whole path segments. Thread-safe.
 */
final class RoleAssignments {

  /** Lower-cased client ID → its scopes, each as lower-cased path segments. */
  private final Map<String, List<List<String>>> scopes = new ConcurrentHashMap<>();
  /** Lower-cased client ID → the actions its role allows, lower-cased; a client without an entry may do any. */
  private final Map<String, java.util.Set<String>> actions = new ConcurrentHashMap<>();

  /**
   * Replaces the actions the client's role allows (a custom role's {@code Actions}, exactly: no wildcards, as authip's
   * role has none); an empty list allows nothing, null lifts the restriction.
   */
  void actions(String clientId, java.util.Collection<String> allowed) {
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("clientId is required, got '" + clientId + "'");
    }
    if (allowed == null) {
      actions.remove(clientId.toLowerCase(Locale.ROOT));
      return;
    }
    java.util.Set<String> set = new java.util.HashSet<>();
    for (String action : allowed) {
      if (action == null || !action.matches("[A-Za-z0-9.]+(/[A-Za-z0-9]+)+") ) {
        throw new IllegalArgumentException("an action is like Microsoft.Network/natGateways/read, got '" + action
            + "'");
      }
      set.add(action.toLowerCase(Locale.ROOT));
    }
    actions.put(clientId.toLowerCase(Locale.ROOT), java.util.Set.copyOf(set));
  }

  /** Replaces the client's scopes; an empty list leaves it no access at all. */
  void scopes(String clientId, List<String> given) {
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("clientId is required, got '" + clientId + "'");
    }
    if (given == null) {
      throw new IllegalArgumentException("scopes of client '" + clientId + "' must be a list, got null");
    }
    List<List<String>> parsed = new ArrayList<>();
    for (String scope : given) {
      parsed.add(segments(scope));
    }
    scopes.put(clientId.toLowerCase(Locale.ROOT), List.copyOf(parsed));
  }

  /**
   * ARM's 403 for a principal whose scopes do not cover {@code scope}; empty when they do or when it has none
   * configured (or when the request carried no principal: authentication has refused it already).
   */
  Optional<ResourceStore.Answer> refusal(Principal principal, String action, String scope) {
    if (principal == null) {
      return Optional.empty();
    }
    java.util.Set<String> may = actions.get(principal.clientId().toLowerCase(Locale.ROOT));
    if (may != null && !may.contains(action.toLowerCase(Locale.ROOT))) {
      return Optional.of(authorizationFailed(principal, action, scope));
    }
    List<List<String>> allowed = scopes.get(principal.clientId().toLowerCase(Locale.ROOT));
    if (allowed == null) {
      return Optional.empty();
    }
    List<String> target = List.of(ResourceIds.key(scope).substring(1).split("/"));
    for (List<String> prefix : allowed) {
      if (target.size() >= prefix.size() && target.subList(0, prefix.size()).equals(prefix)) {
        return Optional.empty();
      }
    }
    return Optional.of(authorizationFailed(principal, action, scope));
  }

  /** ARM's answer when the caller's role assignments do not allow {@code action} over {@code scope}. */
  static ResourceStore.Answer authorizationFailed(Principal principal, String action, String scope) {
    return ResourceStore.Answer.error(403, "AuthorizationFailed", "The client '" + principal.clientId()
        + "' with object id '" + principal.objectId() + "' does not have authorization to perform action '" + action
        + "' over scope '" + scope + "' or the scope is invalid. If access was recently granted, please refresh "
        + "your credentials.", Map.of());
  }

  /**
   * A scope's segments: {@code /subscriptions/{s}}, optionally {@code /resourceGroups/{g}} and a resource below it;
   * anything else is refused, naming the scope, since a typo would silently deny everything.
   */
  private static List<String> segments(String scope) {
    if (scope == null || scope.isBlank()) {
      throw new IllegalArgumentException("a scope is an ARM ID such as /subscriptions/{id}/resourceGroups/{name}, "
          + "got '" + scope + "'");
    }
    String path = ResourceIds.key(scope);
    List<String> s = List.of(path.substring(1).split("/", -1));
    boolean ok = s.size() >= 2 && s.get(0).equals("subscriptions") && s.stream().noneMatch(String::isBlank)
        && (s.size() == 2 || s.get(2).equals("resourcegroups") && s.size() >= 4)
        && (s.size() <= 4 || s.get(4).equals("providers") && s.size() >= 8 && s.size() % 2 == 0);
    if (!ok || !scope.trim().startsWith("/")) {
      throw new IllegalArgumentException("a scope is an ARM ID such as /subscriptions/{id}/resourceGroups/{name}, "
          + "got '" + scope + "'");
    }
    return s;
  }
}
