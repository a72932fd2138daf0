import { Scope } from '@nestjs/common';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';

/**
 * Why a provider has no single long-lived instance, or `undefined` when it has one. The reason
 * completes the sentence "… cannot run: <reason>", for example `its provider Reports is
 * request-scoped` or `its provider Reports depends on request-scoped RequestContext (through
 * ReportRepository)`.
 */
export function nonSingletonReason(wrapper: InstanceWrapper): string | undefined {
  const provider = `its provider ${tokenName(wrapper)}`;
  if (wrapper.scope === Scope.REQUEST) return `${provider} is request-scoped`;
  if (wrapper.isTransient) return `${provider} is transient (one instance per consumer)`;
  if (wrapper.isDependencyTreeStatic()) return undefined;

  const chain = requestScopedChain(wrapper, new Set([wrapper]));
  if (chain === undefined) return `${provider} is not static (request-scoped)`;
  const scoped = chain[chain.length - 1];
  const through = chain.slice(0, -1);
  return (
    `${provider} depends on request-scoped ${scoped}` +
    (through.length > 0 ? ` (through ${through.join(' → ')})` : '')
  );
}

/** The names from `wrapper`'s first non-static dependency down to a request-scoped provider. */
function requestScopedChain(
  wrapper: InstanceWrapper,
  visited: Set<InstanceWrapper>,
): string[] | undefined {
  const dependencies = [
    ...(wrapper.getCtorMetadata() ?? []),
    ...(wrapper.getPropertiesMetadata() ?? []).map((property) => property.wrapper),
  ];
  for (const dependency of dependencies) {
    if (dependency === undefined || visited.has(dependency)) continue;
    visited.add(dependency);
    if (dependency.isDependencyTreeStatic()) continue;
    if (dependency.scope === Scope.REQUEST) return [tokenName(dependency)];
    const below = requestScopedChain(dependency, visited);
    if (below !== undefined) return [tokenName(dependency), ...below];
  }
  return undefined;
}

/** A readable name for a provider's token: a class or function name, a string, a symbol. */
export function tokenName(wrapper: InstanceWrapper): string {
  const token: unknown = wrapper.token ?? wrapper.name;
  if (typeof token === 'function') return token.name || 'an anonymous class';
  if (typeof token === 'symbol') return token.toString();
  return String(token);
}
