using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// The request body for a JSON body the inspector could not judge before the endpoint (chunked, over 256 KB, behind
/// authorization): on the first read — the binder's, after authorization and the other middleware have answered — it reads
/// the body whole into a pooled buffer and judges it (<see cref="JsonBodyInspector.Check(ReadOnlySpan{byte}, JsonBodyInspector.EndpointPlan, out DefenderError)"/>).
/// A bad body throws one <see cref="DefenderException"/>, which the binders let through to the handler; a good one is
/// served from the buffer unchanged. The server's own limits (MaxRequestBodySize, timeouts, aborts) apply to the reads
/// of the inner body as before, with the same exceptions.
/// </summary>
/// <remarks>
/// It is the request's <see cref="PipeReader"/> itself, over the server's: the binders of .NET 10 (minimal APIs, MVC's
/// System.Text.Json formatter) read the body through <see cref="HttpRequest.BodyReader"/>, so the serializer reads it here
/// directly. When the server had the body already (a small one usually arrives with the headers), the read and the
/// judgement complete synchronously and a bad body throws straight into the serializer — no asynchronous layer of ours, nor
/// a stream-to-pipe adapter, for the exception to unwind through (docs/performance.md). Readers of
/// <see cref="HttpRequest.Body"/> get a stream over the same reader.
/// </remarks>
internal sealed class InspectedRequestBody : PipeReader, IRequestBodyPipeFeature, IDisposable
{
    private const int InitialBuffer = 4096;

    /// <summary>A declared length is trusted for the first buffer up to this; beyond, the buffer grows as bytes arrive.</summary>
    private const int MaxInitialBuffer = 1024 * 1024;

    private readonly HttpContext _context;
    private readonly PipeReader _inner;
    private readonly JsonBodyInspector.EndpointPlan _plan;
    private readonly long? _length;
    private readonly BodyStream _body;
    private Stream? _replacedBody;
    private PipeReader? _replacedBodyReader;
    private byte[]? _buffer;
    private int _count;
    private int _consumed;
    private bool _inspected;
    private bool _cancelNextRead;

    private InspectedRequestBody(HttpContext context, PipeReader inner, JsonBodyInspector.EndpointPlan plan, long? length)
    {
        _context = context;
        _inner = inner;
        _plan = plan;
        _length = length;
        _body = new BodyStream(this);
    }

    /// <summary>Puts the inspected body in place of the request's, for readers of the pipe and of the stream alike.</summary>
    internal static void Install(HttpContext context, JsonBodyInspector.EndpointPlan plan)
    {
        var request = context.Request;
        var body = new InspectedRequestBody(context, request.BodyReader, plan, request.ContentLength);
        context.Features.Set<IRequestBodyPipeFeature>(body);
        request.Body = body._body;
        context.Response.RegisterForDispose(body);
    }

    PipeReader IRequestBodyPipeFeature.Reader
    {
        get
        {
            var body = _context.Request.Body;
            if (ReferenceEquals(body, _body))
            {
                return this;
            }

            // Something after us replaced Request.Body (EnableBuffering, a decompressor): the pipe reads what it put there,
            // as the framework's own feature does. Its reads still come through this body underneath.
            if (!ReferenceEquals(body, _replacedBody))
            {
                _replacedBody = body;
                _replacedBodyReader = Create(body, new StreamPipeReaderOptions(leaveOpen: true));
            }

            return _replacedBodyReader!;
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_inspected)
        {
            return new ValueTask<ReadResult>(Remaining());
        }

        RentBuffer();
        while (true)
        {
            ReadResult result;
            try
            {
                var pending = _inner.ReadAsync(cancellationToken);
                if (!pending.IsCompleted)
                {
                    return ReadRestAsync(pending, cancellationToken);
                }

                result = pending.GetAwaiter().GetResult();
            }
            catch (Exception exception) when (AbortIfClientGone(exception))
            {
                throw;
            }

            if (Take(result))
            {
                // A bad body's exception goes synchronously, straight into the serializer.
                return Judged(out var error) ? new ValueTask<ReadResult>(Remaining()) : throw new DefenderException(error);
            }

            if (result.IsCanceled)
            {
                return new ValueTask<ReadResult>(Canceled());
            }
        }
    }

    /// <summary>True while the body is still to be judged and authorization is all that had to answer first.</summary>
    internal bool AwaitsAuthorization => _plan.AfterAuthorization && !_inspected;

    /// <summary>
    /// Reads the body whole and judges it now, without an exception: <see langword="false"/> with the error for a bad body.
    /// Then the binder's reads are served from the buffer. A read the server fails (limits, aborts) throws as it would for the
    /// binder; a cancelled one leaves the judgement to the binder's read.
    /// </summary>
    internal async ValueTask<(bool Ok, DefenderError Error)> JudgeAsync(CancellationToken cancellationToken)
    {
        RentBuffer();
        try
        {
            ReadResult result;
            do
            {
                result = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (Take(result))
                {
                    return Judged(out var error) ? (true, default) : (false, error);
                }
            }
            while (!result.IsCanceled);
        }
        catch (Exception exception) when (AbortIfClientGone(exception))
        {
            throw;
        }

        return (true, default);
    }

    /// <summary>
    /// The serializer asks for "at least" a size; every read here answers the whole body (completed) or a cancellation, which
    /// satisfies that, so this is <see cref="ReadAsync"/> itself — without the base class's asynchronous loop for a bad
    /// body's exception to unwind through.
    /// </summary>
    protected override ValueTask<ReadResult> ReadAtLeastAsyncCore(int minimumSize, CancellationToken cancellationToken) =>
        ReadAsync(cancellationToken);

    public override bool TryRead(out ReadResult result)
    {
        // Nothing is served before the body has been judged; the reader's ReadAsync does that.
        if (!_inspected)
        {
            result = default;
            return false;
        }

        result = Remaining();
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        // Positions come from the sequences served over the one buffer (an array's position is its index).
        var index = consumed.GetInteger();
        if (!ReferenceEquals(consumed.GetObject(), _buffer) || index < _consumed || index > (_inspected ? _count : 0))
        {
            throw new InvalidOperationException("The position is not within the data last read.");
        }

        _consumed = index;
    }

    public override void CancelPendingRead()
    {
        if (_inspected)
        {
            _cancelNextRead = true;
        }
        else
        {
            _inner.CancelPendingRead();
        }
    }

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    void IDisposable.Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<ReadResult> ReadRestAsync(ValueTask<ReadResult> pending, CancellationToken cancellationToken)
    {
        try
        {
            var result = await pending.ConfigureAwait(false);
            while (!Take(result))
            {
                if (result.IsCanceled)
                {
                    return Canceled();
                }

                result = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (AbortIfClientGone(exception))
        {
            throw;
        }

        return Judged(out var error) ? Remaining() : throw new DefenderException(error);
    }

    private void RentBuffer() =>
        _buffer ??= ArrayPool<byte>.Shared.Rent(_length is > 0 and < MaxInitialBuffer ? (int)_length.Value + 1 : _length > 0 ? MaxInitialBuffer : InitialBuffer);

    /// <summary>Copies what the server read into the buffer (doubled when full) and consumes it; true once the body is whole.</summary>
    private bool Take(in ReadResult result)
    {
        foreach (var segment in result.Buffer)
        {
            if (_count + segment.Length > _buffer!.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _count + segment.Length));
                _buffer.AsSpan(0, _count).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            segment.Span.CopyTo(_buffer.AsSpan(_count));
            _count += segment.Length;
        }

        _inner.AdvanceTo(result.Buffer.End);
        return result.IsCompleted || _count >= _length;
    }

    /// <summary>
    /// The binder swallows a failed body read (minimal APIs answer a bare 400), so a client that reset the connection would
    /// be answered and its body drained mid-read. Aborting here tells the server and the handler the client is gone.
    /// Always false: the exception goes on as it came.
    /// </summary>
    private bool AbortIfClientGone(Exception exception) => Internal.DefenderErrorHandler.MarkIfClientGone(_context, exception);

    /// <summary>False with the error when the whole body is bad; an empty body is left to the binder, which says so.</summary>
    private bool Judged(out DefenderError error)
    {
        _inspected = true;
        error = default;
        return _count == 0 || JsonBodyInspector.Check(_buffer.AsSpan(0, _count), _plan, out error);
    }

    /// <summary>A read the caller cancelled before the body was whole: nothing served yet, the bytes so far kept.</summary>
    private ReadResult Canceled() => new(new ReadOnlySequence<byte>(_buffer!, 0, 0), isCanceled: true, isCompleted: false);

    private ReadResult Remaining()
    {
        var canceled = _cancelNextRead;
        _cancelNextRead = false;
        return new ReadResult(new ReadOnlySequence<byte>(_buffer!, _consumed, _count - _consumed), canceled, isCompleted: true);
    }

    /// <summary><see cref="HttpRequest.Body"/> over the inspected reader.</summary>
    private sealed class BodyStream(InspectedRequestBody reader) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var pending = reader.ReadAsync(cancellationToken);
            return pending.IsCompletedSuccessfully ? new ValueTask<int>(CopyTo(pending.Result, buffer.Span)) : ReadLaterAsync(pending, buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(Span<byte> buffer)
        {
            // As the server's own body stream: synchronous reads only where the application allowed them.
            if (reader._context.Features.Get<IHttpBodyControlFeature>()?.AllowSynchronousIO != true)
            {
                throw new InvalidOperationException("Synchronous operations are disallowed. Call ReadAsync or set AllowSynchronousIO to true instead.");
            }

            return CopyTo(reader.ReadAsync().AsTask().GetAwaiter().GetResult(), buffer);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private async ValueTask<int> ReadLaterAsync(ValueTask<ReadResult> pending, Memory<byte> buffer) =>
            CopyTo(await pending.ConfigureAwait(false), buffer.Span);

        private int CopyTo(in ReadResult result, Span<byte> destination)
        {
            var data = result.Buffer;
            var length = (int)Math.Min(destination.Length, data.Length);
            data.Slice(0, length).CopyTo(destination);
            reader.AdvanceTo(data.GetPosition(length));
            return length;
        }
    }
}
