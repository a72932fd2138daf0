/**
 * The injection token of the channel named `name`, as provided by `StageModule.forFeature({
 * channels })`. Use it to inject a channel without the decorator, or to replace it in a test.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(getChannelToken('adder'))
 *   .useValue(new Channel({ name: 'adder', capacity: 1 }))
 *   .compile();
 */
export function getChannelToken(name: string): string {
  return `StageChannel(${name})`;
}
