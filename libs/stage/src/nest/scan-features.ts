import type { Module } from '@nestjs/core/injector/module.js';

import { InvalidOptionError } from '../core/errors/invalid-option-error.js';
import { getChannelToken } from './channel-token.js';
import { DuplicateChannelError } from './errors/duplicate-channel-error.js';
import { optionsDifference } from './options-difference.js';
import type { ChannelDeclaration, ModuleSupervisorOptions } from './stage-feature-options.js';
import {
  STAGE_FEATURE,
  type FeatureRegistration,
  StageFeatureModule,
} from './stage-feature.module.js';

/** A channel of the application, as the module graph declares and provides it. */
export interface DeclaredChannel {
  readonly name: string;
  /** The first declaration; every other one of the name is equal to it. */
  readonly declaration: ChannelDeclaration;
  /** The modules that register it, for messages: `AdderModule and HttpModule`. */
  readonly owners: string;
  /** What the application injects under its token: the channel, or a test's replacement. */
  readonly instance: unknown;
}

/** What every `StageModule.forFeature()` registration of the application adds up to. */
export interface ScannedFeatures {
  /** The channels by name, in the order they are first declared. */
  readonly channels: ReadonlyMap<string, DeclaredChannel>;
  /** The supervisor options of each importing module that gave some. */
  readonly supervisors: ReadonlyMap<Module, ModuleSupervisorOptions>;
}

/**
 * Reads the feature registrations from the module graph, in module order, and checks that they
 * agree: one declaration per channel name, one set of supervisor options per module.
 *
 * @throws DuplicateChannelError naming the modules of two declarations of one name that differ;
 * InvalidOptionError when a module imports two registrations with different supervisor options.
 */
export function scanFeatures(modules: Iterable<Module>): ScannedFeatures {
  const all = [...modules];
  const channels = new Map<string, DeclaredChannel>();
  const supervisors = new Map<Module, ModuleSupervisorOptions>();

  for (const feature of all) {
    if (feature.metatype !== StageFeatureModule) continue;
    const registration = feature.providers.get(STAGE_FEATURE)?.instance as
      FeatureRegistration | undefined;
    if (registration === undefined) continue;
    const importers = all.filter((module) => module.imports.has(feature));
    const owners = describeOwners(importers);

    for (const declaration of registration.options.channels) {
      const { name } = declaration;
      const known = channels.get(name);
      if (known === undefined) {
        const instance: unknown = feature.providers.get(getChannelToken(name))?.instance;
        channels.set(name, { name, declaration, owners, instance });
        continue;
      }
      const difference = optionsDifference(known.declaration, declaration);
      if (difference !== undefined) {
        throw new DuplicateChannelError(
          name,
          known.owners,
          owners,
          difference.path,
          difference.first,
          difference.second,
        );
      }
    }

    const supervisor = registration.options.supervisor;
    if (supervisor === undefined) continue;
    for (const importer of importers) {
      const known = supervisors.get(importer);
      if (known !== undefined && optionsDifference(known, supervisor) !== undefined) {
        throw new InvalidOptionError(
          `StageModule.forFeature in ${importer.name}`,
          'supervisor',
          supervisor,
          `the same supervisor options as the module's other registration`,
        );
      }
      supervisors.set(importer, supervisor);
    }
  }
  return { channels, supervisors };
}

function describeOwners(importers: readonly Module[]): string {
  if (importers.length === 0) return 'a StageModule.forFeature() registration';
  return importers.map((module) => module.name).join(' and ');
}
