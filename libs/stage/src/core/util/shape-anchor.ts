/** The instances kept; only ever appended to, once per anchored class at module load. */
const anchored: object[] = [];

/**
 * Keeps `instance` alive for the life of the process, so that V8 keeps its class's hidden class
 * (its "map"). Internal.
 *
 * V8 holds the map of an object made by a constructor only through the objects that have it: the
 * optimized code that creates or reads such objects refers to the map weakly. When a full garbage
 * collection finds no live instance (an idle channel holds no message), the map dies and every
 * function optimized against it is thrown away, to run slowly until V8 optimizes it again. A busy
 * channel that goes idle through a major collection then spends its next thousands of messages in
 * unoptimized code. Anchoring one instance of each class made per message keeps the map, and the
 * code, alive; it costs one object per class.
 *
 * The instance should be made with the field types real instances have, so that the first real
 * instance does not generalize the map's fields.
 */
export function anchorShape<TInstance extends object>(instance: TInstance): TInstance {
  anchored.push(instance);
  return instance;
}
