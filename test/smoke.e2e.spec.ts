import { describe, expect, it } from 'vitest';
import { Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { Test } from '@nestjs/testing';

@Injectable()
class Dep {}

@Injectable()
class Svc implements OnModuleDestroy {
  destroyed = false;
  constructor(readonly dep: Dep) {}
  onModuleDestroy() {
    this.destroyed = true;
  }
}

@Module({ providers: [Dep, Svc] })
class AppModule {}

describe('smoke', () => {
  it('boots a Nest 12 module with injected metadata', async () => {
    const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = ref.createNestApplication();
    await app.init();
    const svc = app.get(Svc);
    expect(svc.dep).toBeInstanceOf(Dep);

    await app.close();
    expect(svc.destroyed).toBe(true);
  });
});
