"""The site as a whole: its posts, its generator's configuration, adopting it (init,
import), renamed posts."""
