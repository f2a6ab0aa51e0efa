package dev.geosteer.config;

/** Collects the problems found at keys of a YAML document, each reported as {@code file:line:column: 'path': message}. */
public interface YamlProblems {
    /** A problem at the key (or list item) {@code path}, e.g. {@code balancers.www.regions.XX}. */
    void add(String path, String message);
}
