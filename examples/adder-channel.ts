import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type Channel,
  type Delivery,
  InjectChannel,
  StageModule,
  StageRegistry,
  Supervised,
} from 'nestjs-stage';

interface Operands {
  readonly a: number;
  readonly b: number;
}

@Injectable()
export class AdderWorkers {
  /** Handler mode: Stage calls this once per message; the return value is the reply. */
  @Supervised({ channel: 'adder', size: 4 })
  add({ a, b }: Operands, delivery: Delivery<Operands, number>): number {
    // A throw fails this delivery only: the message comes back, the worker keeps consuming.
    if (a === 13 && delivery.deliveryCount === 1) throw new Error('unlucky number');
    return a + b;
  }
}

@Injectable()
export class Calculator {
  constructor(@InjectChannel('adder') private readonly adder: Channel<Operands, number>) {}

  add(a: number, b: number): Promise<number> {
    return this.adder.request({ a, b }, { timeoutMs: 1_000 });
  }
}

@Module({
  imports: [
    StageModule.forRoot(),
    StageModule.forFeature({ channels: [{ name: 'adder', redelivery: { minMs: 10 } }] }),
  ],
  providers: [AdderWorkers, Calculator],
})
export class AppModule {}

export async function main(): Promise<{ sums: number[]; redeliveries: number; lost: number }> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const calculator = app.get(Calculator);

  const sums = await Promise.all([calculator.add(1, 2), calculator.add(13, 4)]); // [3, 17]

  const { stats } = app.get(StageRegistry).channel('adder');
  await app.close();
  const lost = stats.accepted - stats.handled - stats.deadLettered - stats.withdrawn;
  return { sums, redeliveries: stats.redeliveries, lost };
}
