package org.hierattn.demo

import android.app.Application
import android.net.Uri
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.LiveData
import androidx.lifecycle.MutableLiveData
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.hierattn.core.ModelMetadata

/** What the screen shows; the activity only renders it. */
data class UiState(
    val modelName: String? = null,
    val metadata: ModelMetadata? = null,
    val threads: Int = DEFAULT_THREADS,
    val delegate: Delegate = Delegate.CPU,
    val running: Boolean = false,
    val result: InferenceResult? = null,
    val error: String? = null
) {
    companion object {
        const val DEFAULT_THREADS = 4
    }
}

/**
 * Owns the classifier and the screen state; work runs off the main thread. The classifier is
 * rebuilt when the thread count or delegate changes.
 */
class ClassifierViewModel(application: Application) : AndroidViewModel(application) {
    private val _state = MutableLiveData(UiState())
    val state: LiveData<UiState> = _state
    private var classifier: HierAttnClassifier? = null

    private val current: UiState get() = _state.value ?: UiState()

    init {
        viewModelScope.launch {
            try {
                val name = withContext(Dispatchers.IO) { ModelAssets.default(application) }
                val metadata = withContext(Dispatchers.IO) { ModelAssets.loadMetadata(application, name) }
                _state.value = current.copy(modelName = name, metadata = metadata)
            } catch (e: Exception) {
                _state.value = current.copy(error = e.message ?: e.toString())
            }
        }
    }

    fun setThreads(threads: Int) {
        if (threads == current.threads) return
        closeClassifier()
        _state.value = current.copy(threads = threads)
    }

    fun setDelegate(delegate: Delegate) {
        if (delegate == current.delegate) return
        closeClassifier()
        _state.value = current.copy(delegate = delegate)
    }

    fun classify(uri: Uri) {
        val name = current.modelName ?: return
        val app = getApplication<Application>()
        _state.value = current.copy(running = true, error = null)
        viewModelScope.launch {
            try {
                val result = withContext(Dispatchers.Default) {
                    val c = classifier ?: HierAttnClassifier.create(app, name, current.threads, current.delegate).also { classifier = it }
                    c.classify(ImageDecoding.decode(app, uri, c.metadata), TOP_K)
                }
                _state.value = current.copy(running = false, result = result)
            } catch (e: Exception) {
                _state.value = current.copy(running = false, error = e.message ?: e.toString())
            }
        }
    }

    private fun closeClassifier() {
        classifier?.close()
        classifier = null
    }

    override fun onCleared() {
        closeClassifier()
    }

    companion object {
        const val TOP_K = 3
    }
}
