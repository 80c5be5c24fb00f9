namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// The time one query may take, and the client's presence: <see cref="Token"/> goes to the database, <see cref="ThrowIfSpent"/>
/// follows the read. The timer alone does not decide: its callback waits for a pool thread, and a provider that reads
/// synchronously (SQLite) can hold the pool until after the deadline, so a query may finish late with the token not yet
/// cancelled. The clock says it ran past the budget all the same. Timer and clock are the application's
/// <see cref="TimeProvider"/>.
/// </summary>
internal sealed class QueryBudget : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationToken _requestAborted;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly long _started;

    public QueryBudget(TimeSpan timeout, TimeProvider time, CancellationToken requestAborted)
    {
        _time = time;
        _started = time.GetTimestamp();
        _timeout = timeout;
        _requestAborted = requestAborted;
        _timer = timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, time);
        _cancellation = _timer is null
            ? CancellationTokenSource.CreateLinkedTokenSource(requestAborted)
            : CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _timer.Token);
    }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>The budget ran out (rather than the client leaving): the work was, or should have been, stopped by it.</summary>
    public bool TimedOut => !_requestAborted.IsCancellationRequested &&
        (_cancellation.IsCancellationRequested || (_timer is not null && _time.GetElapsedTime(_started) >= _timeout));

    /// <summary>After a read that ended normally: a late finish is still past the budget.</summary>
    public void ThrowIfSpent()
    {
        if (TimedOut)
        {
            throw new OperationCanceledException(Token);
        }
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        _timer?.Dispose();
    }
}
