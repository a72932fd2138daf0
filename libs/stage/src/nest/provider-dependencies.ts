import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';

/**
 * The instances a provider uses, directly or through the providers it uses: what Nest injected
 * into its constructor and properties, transitively, each once. The provider itself is left
 * out, and so are values that are not objects. Internal.
 *
 * Read once the providers are instantiated (Nest records the resolved dependencies then).
 */
export function dependenciesOf(wrapper: InstanceWrapper): object[] {
  const found = new Set<object>();
  const visited = new Set<InstanceWrapper>([wrapper]);
  const pending: InstanceWrapper[] = [...directDependencies(wrapper)];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (visited.has(next)) continue;
    visited.add(next);
    const instance: unknown = next.instance;
    if (instance !== null && typeof instance === 'object' && instance !== wrapper.instance) {
      found.add(instance);
    }
    pending.push(...directDependencies(next));
  }
  return [...found];
}

function directDependencies(wrapper: InstanceWrapper): InstanceWrapper[] {
  const constructorDependencies = wrapper.getCtorMetadata() ?? [];
  const propertyDependencies = (wrapper.getPropertiesMetadata() ?? []).map(
    ({ wrapper }) => wrapper,
  );
  return [...constructorDependencies, ...propertyDependencies].filter(
    (dependency): dependency is InstanceWrapper => dependency !== undefined && dependency !== null,
  );
}
