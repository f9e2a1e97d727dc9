package io.ferrymq.sim.config;

import java.util.List;

/** A choice whose accepted spellings are listed, the first being the canonical one. */
interface Named {
    List<String> names();
}
