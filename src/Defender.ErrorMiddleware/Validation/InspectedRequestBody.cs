using System.Buffers;
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
internal sealed class InspectedRequestBody : Stream
{
    private const int InitialBuffer = 4096;

    /// <summary>A declared length is trusted for the first buffer up to this; beyond, the buffer grows as bytes arrive.</summary>
    private const int MaxInitialBuffer = 1024 * 1024;

    private readonly HttpContext _context;
    private readonly Stream _inner;
    private readonly JsonBodyInspector.EndpointPlan _plan;
    private readonly long? _length;
    private byte[]? _buffer;
    private int _count;
    private int _position;
    private bool _inspected;

    private InspectedRequestBody(HttpContext context, Stream inner, JsonBodyInspector.EndpointPlan plan, long? length)
    {
        _context = context;
        _inner = inner;
        _plan = plan;
        _length = length;
    }

    /// <summary>Puts the inspected body in place of the request's, for readers of the stream and of the pipe alike.</summary>
    internal static void Install(HttpContext context, JsonBodyInspector.EndpointPlan plan)
    {
        var body = new InspectedRequestBody(context, context.Request.Body, plan, context.Request.ContentLength);
        context.Request.Body = body;
        context.Features.Set<IRequestBodyPipeFeature>(new RequestBodyPipeFeature(context));
        context.Response.RegisterForDispose(body);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_inspected)
        {
            Start();
            try
            {
                int read;
                while ((read = await _inner.ReadAsync(Free(), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    _count += read;
                }
            }
            catch (Exception exception) when (AbortIfClientGone(exception))
            {
                throw;
            }

            Inspect();
        }

        return CopyTo(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        if (!_inspected)
        {
            // Only where the server allows synchronous reads; otherwise the inner body refuses, as it would unwrapped.
            Start();
            try
            {
                int read;
                while ((read = _inner.Read(Free().Span)) > 0)
                {
                    _count += read;
                }
            }
            catch (Exception exception) when (AbortIfClientGone(exception))
            {
                throw;
            }

            Inspect();
        }

        return CopyTo(buffer);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// The binder swallows a failed body read (minimal APIs answer a bare 400), so a client that reset the connection would
    /// be answered and its body drained mid-read. Aborting here tells the server and the handler the client is gone.
    /// Always false: the exception goes on as it came.
    /// </summary>
    private bool AbortIfClientGone(Exception exception)
    {
        if (Internal.DefenderErrorHandler.IsClientAbort(_context, exception))
        {
            Internal.DefenderErrorHandler.MarkClientGone(_context);
        }

        return false;
    }

    private void Start() =>
        _buffer ??= ArrayPool<byte>.Shared.Rent(_length is > 0 and < MaxInitialBuffer ? (int)_length.Value + 1 : _length > 0 ? MaxInitialBuffer : InitialBuffer);

    /// <summary>The free part of the buffer, doubled when full.</summary>
    private Memory<byte> Free()
    {
        if (_count == _buffer!.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsMemory(_count);
    }

    private void Inspect()
    {
        _inspected = true;

        // An empty body is left to the binder, which says so.
        if (_count > 0 && !JsonBodyInspector.Check(_buffer.AsSpan(0, _count), _plan, out var error))
        {
            throw new DefenderException(error);
        }
    }

    private int CopyTo(Span<byte> destination)
    {
        var length = Math.Min(destination.Length, _count - _position);
        _buffer.AsSpan(_position, length).CopyTo(destination);
        _position += length;
        return length;
    }
}
