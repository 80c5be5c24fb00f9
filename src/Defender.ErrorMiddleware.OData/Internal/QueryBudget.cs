using System.Diagnostics;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// The time one query may take, and the client's presence: <see cref="Token"/> goes to the database, <see cref="ThrowIfSpent"/>
/// follows the read. The timer alone does not decide: its callback waits for a pool thread, and a provider that reads
/// synchronously (SQLite) can hold the pool until after the deadline, so a query may finish late with the token not yet
/// cancelled. The clock says it ran past the budget all the same.
/// </summary>
internal sealed class QueryBudget : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationToken _requestAborted;
    private readonly TimeSpan _timeout;
    private readonly long _started = Stopwatch.GetTimestamp();

    public QueryBudget(TimeSpan timeout, CancellationToken requestAborted)
    {
        _timeout = timeout;
        _requestAborted = requestAborted;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _cancellation.CancelAfter(timeout);
        }
    }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>The budget ran out (rather than the client leaving): the work was, or should have been, stopped by it.</summary>
    public bool TimedOut => !_requestAborted.IsCancellationRequested &&
        (_cancellation.IsCancellationRequested || (_timeout != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(_started) >= _timeout));

    /// <summary>After a read that ended normally: a late finish is still past the budget.</summary>
    public void ThrowIfSpent()
    {
        if (TimedOut)
        {
            throw new OperationCanceledException(Token);
        }
    }

    public void Dispose() => _cancellation.Dispose();
}
