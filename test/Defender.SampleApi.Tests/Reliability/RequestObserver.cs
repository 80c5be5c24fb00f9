using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Defender.SampleApi.Tests.Reliability;

/// <summary>
/// Watches requests from outside the sample's pipeline (an <see cref="IStartupFilter"/> runs before <c>UseDefenderErrors</c>):
/// when a request starts reading its body, how it ended, and whether an exception escaped every middleware of the sample.
/// Lets fault tests wait for the server side to finish instead of sleeping.
/// </summary>
public sealed class RequestObserver : IStartupFilter
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _bodyRead = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Outcome>> _finished = new(StringComparer.Ordinal);

    /// <summary>How a request ended on the server: its status and the exception that escaped the sample, if any.</summary>
    public sealed record Outcome(int Status, bool Aborted, Exception? Escaped);

    /// <summary>Completes when the request with this <c>x-observe</c> id first reads its body.</summary>
    public Task BodyReadStarted(string id) => _bodyRead.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Completes when the request with this <c>x-observe</c> id has left the sample's pipeline.</summary>
    public Task<Outcome> Finished(string id) => _finished.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Headers["x-observe"] is not [{ } id])
            {
                await nextMiddleware(context);
                return;
            }

            context.Request.Body = new SignallingStream(context.Request.Body, () => _bodyRead.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult());
            Exception? escaped = null;
            try
            {
                await nextMiddleware(context);
            }
            catch (Exception exception)
            {
                escaped = exception;
                throw;
            }
            finally
            {
                // HttpContext.Abort() cancels RequestAborted on the thread pool, a moment after it returns: give it that moment.
                for (var i = 0; i < 100 && context.Response.StatusCode == StatusCodes.Status499ClientClosedRequest && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await Task.Delay(10);
                }

                _finished.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously))
                    .TrySetResult(new Outcome(context.Response.StatusCode, context.RequestAborted.IsCancellationRequested, escaped));
            }
        });
        next(app);
    };

    private sealed class SignallingStream(Stream inner, Action onRead) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            onRead();
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            onRead();
            return inner.Read(buffer, offset, count);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
