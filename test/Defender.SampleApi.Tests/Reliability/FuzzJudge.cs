using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Defender.SampleApi.Tests.Reliability;

/// <summary>
/// Sends fuzz cases and judges every answer: no 5xx, no 3xx, every error exactly the envelope with its headers and a status that
/// fits its code, no leak, no target twice. Failures are collected (with the case that caused them), not thrown, so one run
/// reports everything it found.
/// </summary>
public sealed class FuzzJudge
{
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<Guid, int> _targets = new();
    private readonly ConcurrentDictionary<string, int> _answers = new(StringComparer.Ordinal);
    private int _sent;

    public IReadOnlyCollection<string> Failures => _failures;

    public ICollection<Guid> Targets => _targets.Keys;

    public int Sent => _sent;

    public int Answered => _answers.Values.Sum();

    /// <summary>How many answers of each "status code" pair (code "-" for success).</summary>
    public IReadOnlyDictionary<string, int> Answers => _answers;

    public async Task SendAsync(HttpClient client, FuzzCase fuzzCase)
    {
        using var request = new HttpRequestMessage(fuzzCase.Method, fuzzCase.PathAndQuery);
        if (fuzzCase.Authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", fuzzCase.Authorization);
        }

        if (fuzzCase.Body is not null)
        {
            request.Content = fuzzCase.Chunked ? new ChunkedContent(fuzzCase.Body) : new ByteArrayContent(fuzzCase.Body);
            if (fuzzCase.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzzCase.ContentType);
            }
        }

        Interlocked.Increment(ref _sent);
        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await client.SendAsync(request);
            body = await response.Content.ReadAsByteArrayAsync();
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or TaskCanceledException)
        {
            Fail(fuzzCase, $"no answer: {exception.GetType().Name}: {exception.Message}");
            return;
        }

        using (response)
        {
            Judge(fuzzCase, response, body);
        }
    }

    public void Judge(FuzzCase fuzzCase, HttpResponseMessage response, byte[] body)
    {
        var status = (int)response.StatusCode;
        var text = Encoding.UTF8.GetString(body);
        if (status >= 400)
        {
            if (StrictEnvelope.Check(response, body, out var error) is { } fault)
            {
                Fail(fuzzCase, $"{status}: {fault}: {Cut(text)}");
                return;
            }

            _answers.AddOrUpdate($"{status} {error.Code}", 1, (_, n) => n + 1);
            if (status >= 500)
            {
                Fail(fuzzCase, $"server error {status} {error.Code} target {error.Target}");
            }

            if (!StrictEnvelope.StatusFits(response.StatusCode, error.Code))
            {
                Fail(fuzzCase, $"status {status} does not fit code {error.Code}");
            }

            if (_targets.AddOrUpdate(error.Target, 1, (_, n) => n + 1) > 1)
            {
                Fail(fuzzCase, $"target {error.Target} answered twice");
            }
        }
        else if (status is >= 200 and < 300)
        {
            _answers.AddOrUpdate($"{status} -", 1, (_, n) => n + 1);
            if (body.Length > 0 && !IsJson(body))
            {
                Fail(fuzzCase, $"{status} with a body that is not JSON: {Cut(text)}");
            }
        }
        else
        {
            _answers.AddOrUpdate($"{status} -", 1, (_, n) => n + 1);
            Fail(fuzzCase, $"unexpected status {status}");
        }

        if (StrictEnvelope.FindLeak(text, fuzzCase.RequestText()) is { } marker)
        {
            Fail(fuzzCase, $"{status} shows '{marker}', which the request did not contain: {Cut(text)}");
        }

        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            foreach (var value in header.Value)
            {
                if (value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
                {
                    Fail(fuzzCase, $"header {header.Key} holds a line break");
                }
            }
        }
    }

    public void Fail(FuzzCase fuzzCase, string what) => _failures.Enqueue(what + " <- " + fuzzCase.Describe());

    /// <summary>The failure count and the first 20 failures, for the assertion message.</summary>
    public string Report(string seed) =>
        $"{_failures.Count} failures (seed {seed}) of {_sent} requests:\n" + string.Join("\n", _failures.Take(20));

    private static bool IsJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>A body of unknown length, so it is sent with Transfer-Encoding: chunked, in several writes.</summary>
    private sealed class ChunkedContent(byte[] body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            // Uneven pieces, so chunk boundaries fall inside tokens, strings and multi-byte characters.
            var offset = 0;
            var piece = 1;
            while (offset < body.Length)
            {
                var length = Math.Min(piece, body.Length - offset);
                await stream.WriteAsync(body.AsMemory(offset, length));
                await stream.FlushAsync();
                offset += length;
                piece = piece * 7 % 65_521 + 3;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
