using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Framework;

/// <summary>One recorded measurement with its tags.</summary>
public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

/// <summary>
/// Captures the platform's signals of one app: measurements of the meters its own IMeterFactory created (so parallel tests
/// do not mix) and the events of its DiagnosticListener.
/// </summary>
public sealed class PlatformSignals : IDisposable, IObserver<KeyValuePair<string, object?>>
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentQueue<(string Name, object? Payload)> _events = new();
    private readonly IDisposable _subscription;

    public PlatformSignals(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory)
                && instrument.Name is "aspnetcore.diagnostics.exceptions" or "http.server.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
        _subscription = services.GetRequiredService<DiagnosticListener>().Subscribe(this, name => name.StartsWith("Microsoft.AspNetCore.Diagnostics", StringComparison.Ordinal));
    }

    public IReadOnlyList<Measurement> Exceptions => [.. _measurements.Where(m => m.Instrument == "aspnetcore.diagnostics.exceptions")];

    public IReadOnlyList<(string Name, object? Payload)> Events => [.. _events];

    /// <summary>The request-duration measurement is recorded when the request ends, possibly after the client read the answer.</summary>
    public async Task<Measurement> RequestDurationAsync()
    {
        for (var i = 0; i < 200; i++)
        {
            if (_measurements.FirstOrDefault(m => m.Instrument == "http.server.request.duration") is { } measurement)
            {
                return measurement;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException("No http.server.request.duration measurement was recorded.");
    }

    public async Task<IReadOnlyList<Measurement>> ExceptionsAsync(int expected)
    {
        for (var i = 0; i < 200 && Exceptions.Count < expected; i++)
        {
            await Task.Delay(25);
        }

        return Exceptions;
    }

    public static object? Property(object? payload, string name) => payload?.GetType().GetProperty(name)?.GetValue(payload);

    public void Dispose()
    {
        _subscription.Dispose();
        _listener.Dispose();
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value) => _events.Enqueue((value.Key, value.Value));

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new Measurement(instrument.Name, value, copy));
    }
}
