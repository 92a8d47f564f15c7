package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** How a list over the limit was covered ({@code spec.overflow.strategy: Supernet}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SupernetStatus {

  /** Widest added blocks shown. */
  public static final int WIDEST_SHOWN = 5;

  @JsonPropertyDescription("Entries of the list before covering (ranges, egress and the service tag).")
  private Integer entries;

  @JsonPropertyDescription("CIDR blocks of the cover (at most the limit).")
  private Integer blocks;

  @JsonPropertyDescription("Addresses the cover admits beyond the list.")
  private Long extraAddresses;

  @JsonPropertyDescription("extraAddresses as a percentage of the list's own addresses, two decimals.")
  private String extraPercent;

  @JsonPropertyDescription("The widest blocks that admit addresses beyond the list (at most " + WIDEST_SHOWN
      + ", widest first).")
  private List<String> widestAdded = new ArrayList<>();

  public Integer getEntries() {
    return entries;
  }

  public void setEntries(Integer entries) {
    this.entries = entries;
  }

  public Integer getBlocks() {
    return blocks;
  }

  public void setBlocks(Integer blocks) {
    this.blocks = blocks;
  }

  public Long getExtraAddresses() {
    return extraAddresses;
  }

  public void setExtraAddresses(Long extraAddresses) {
    this.extraAddresses = extraAddresses;
  }

  public String getExtraPercent() {
    return extraPercent;
  }

  public void setExtraPercent(String extraPercent) {
    this.extraPercent = extraPercent;
  }

  public List<String> getWidestAdded() {
    return widestAdded;
  }

  public void setWidestAdded(List<String> widestAdded) {
    this.widestAdded = widestAdded;
  }

  SupernetStatus copy() {
    SupernetStatus s = new SupernetStatus();
    s.entries = entries;
    s.blocks = blocks;
    s.extraAddresses = extraAddresses;
    s.extraPercent = extraPercent;
    s.widestAdded = widestAdded == null ? null : new ArrayList<>(widestAdded);
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SupernetStatus s && Objects.equals(entries, s.entries) && Objects.equals(blocks, s.blocks)
        && Objects.equals(extraAddresses, s.extraAddresses) && Objects.equals(extraPercent, s.extraPercent)
        && Objects.equals(widestAdded, s.widestAdded);
  }

  @Override
  public int hashCode() {
    return Objects.hash(entries, blocks, extraAddresses, extraPercent, widestAdded);
  }
}
